/**
 * Peers: one-shot messages to a peer endpoint that drain its connect-time traffic first ({@link
 * dev.tether.peer.PeerClient}), and reciprocal peer registration that is exactly rolled back and
 * crash-atomic ({@link dev.tether.peer.PeerRegistry} over a {@link
 * dev.tether.peer.spi.MetadataStore}, by default {@link dev.tether.peer.FileMetadataStore}). Pod
 * names are checked by {@link dev.tether.peer.PeerNames} before any I/O.
 */
package dev.tether.peer;
