/**
 * The connection runtime: {@link dev.tether.runtime.Connection}, the driver that owns one {@link
 * dev.tether.machine.ConnectionMachine} and performs its effects through the {@link
 * dev.tether.runtime.spi SPIs}, and lifecycle delivery that never loses a terminal event.
 */
package dev.tether.runtime;
