/**
 * A scripted peer endpoint server on the {@link dev.tether.stub.StubNetwork}: {@link
 * dev.tether.stub.peer.ScriptedPeerServer} follows (or, on request, breaks) the peer endpoint
 * protocol of DESIGN.md, and records what clients wrote and when.
 */
package dev.tether.stub.peer;
