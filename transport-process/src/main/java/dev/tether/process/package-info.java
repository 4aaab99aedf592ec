/**
 * Child processes as channels: {@link dev.tether.process.ProcessTransport} starts a {@link
 * dev.tether.process.ProcessEndpoint command} on every connection attempt and speaks JSON-RPC over
 * its stdin and stdout, in a {@link dev.tether.runtime.framing.Framing}. A crashed child is a lost
 * channel, so restarting it is a reconnect.
 */
package dev.tether.process;
