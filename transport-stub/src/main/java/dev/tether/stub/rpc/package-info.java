/**
 * A scripted JSON-RPC server for tests on the simulator: {@link
 * dev.tether.stub.rpc.ScriptedRpcPeer} answers requests by handler, keeps per-connection stream
 * subscriptions in one of the three dialects, emits stream events on a virtual-time schedule, and
 * can restart (losing all server-side state) or go silent (a half-open socket).
 */
package dev.tether.stub.rpc;
