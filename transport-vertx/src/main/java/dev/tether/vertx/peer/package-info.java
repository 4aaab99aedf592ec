/**
 * A peer endpoint server on Vert.x 5: {@link dev.tether.vertx.peer.VertxPeerServer} listens on a
 * Unix-domain socket or a TCP port on 127.0.0.1 and follows the peer endpoint protocol of DESIGN.md
 * (buffered alerts, then one snapshot, then requests; each {@code notify} answered with an {@code
 * ack} or an {@code error}). Received messages go to a {@link dev.tether.vertx.peer.NotifyHandler},
 * such as a bounded {@link dev.tether.vertx.peer.MessageQueue}.
 *
 * <p>The client side is {@link dev.tether.peer.PeerClient} over a {@link
 * dev.tether.vertx.VertxTransport}; this package is the server side only.
 */
package dev.tether.vertx.peer;
