/**
 * JSON-RPC 2.0 on top of a {@link dev.tether.runtime.Connection}: {@link
 * dev.tether.rpc.RpcConnection} sends requests that settle exactly once (I6), keeps stream
 * subscriptions restored across reconnects (I7), probes the channel with an optional heartbeat,
 * speaks pluggable subscription {@link dev.tether.rpc.Dialect dialects}, and survives hostile input
 * (R1). Start with {@link dev.tether.rpc.RpcConnection#builder()}.
 */
package dev.tether.rpc;
