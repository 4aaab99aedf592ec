/**
 * Extension points a transport or an execution environment implements: {@link
 * dev.tether.runtime.spi.Transport}, {@link dev.tether.runtime.spi.Channel}, {@link
 * dev.tether.runtime.spi.ChannelListener} and {@link dev.tether.runtime.spi.Scheduler}. Users of
 * Tether do not call these; the connection driver does.
 */
package dev.tether.runtime.spi;
