/**
 * Extension point for peer registration: {@link dev.tether.peer.spi.MetadataStore}, where pod
 * records and the registry's intent journal live.
 */
package dev.tether.peer.spi;
