/**
 * The pure connection state machine: states, inputs, effects, lifecycle events and the backoff
 * policy. Nothing in this package performs I/O, reads a clock, starts a thread, logs or draws a
 * random number; time and random draws arrive as arguments.
 */
package dev.tether.machine;
