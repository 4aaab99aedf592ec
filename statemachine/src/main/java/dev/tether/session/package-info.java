/**
 * The multi-session model: a pure {@link dev.tether.session.SessionsModel#update update(model,
 * msg)} returning the next model and the actions to perform (the Elm architecture), and {@link
 * dev.tether.session.SessionsRuntime}, which wires real connections into it.
 *
 * <p>Three defects are impossible here by construction: the global status is derived from the
 * active session and never stored (S1, S4); telemetry is replaced only by an initial {@code
 * Connected}, never by {@code Reconnected} (S2); a session has one poller slot, tied to one epoch,
 * and samples from any other epoch are dropped (S3).
 */
package dev.tether.session;
