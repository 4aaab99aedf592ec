/**
 * Server-side helpers for tests and demos: {@link dev.tether.vertx.testserver.VmServiceServer}, a
 * small JSON-RPC 2.0 server speaking the {@code vm-service} dialect over WebSocket, TCP or a Unix
 * socket, that can be stopped and restarted on the same address.
 *
 * <p>Not part of the client API and not meant for production: it trusts its clients, keeps all
 * state in memory and exists to give Tether something real to reconnect to.
 */
package dev.tether.vertx.testserver;
