/**
 * Real I/O for Tether on Vert.x 5: {@link dev.tether.vertx.VertxTransport} opens WebSocket ({@code
 * ws://}, {@code wss://}), TCP ({@code tcp://host:port}) and Unix-domain ({@code unix:///path})
 * channels, {@link dev.tether.vertx.VertxScheduler} confines a connection to a Vert.x context, and
 * {@link dev.tether.vertx.TetherVertx} wires both into a {@link dev.tether.runtime.Connection}.
 *
 * <p>Implementation classes live in {@code dev.tether.vertx.impl} and are not API. Server-side
 * helpers for tests and demos live in {@code dev.tether.vertx.testserver} and are not part of the
 * client API either.
 */
package dev.tether.vertx;
