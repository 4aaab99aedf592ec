/**
 * How frames are cut out of a byte stream and written into one: {@link
 * dev.tether.runtime.framing.Framing#ndjson() newline-delimited JSON} and the language server
 * protocol's {@link dev.tether.runtime.framing.Framing#contentLength() Content-Length headers}.
 * Transports over byte streams (a child's stdio, a TCP or Unix socket) take a {@link
 * dev.tether.runtime.framing.Framing} and use its incremental decoder.
 */
package dev.tether.runtime.framing;
