package dev.tether.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * B1: throughput of connection transitions over one fixed trace of {@value #TRACE_LENGTH} inputs:
 * Tether's pure {@code step}, and Tether's driver performing every effect ({@link DriverReplay}),
 * vs the same machine in stateless4j (the lightest popular FSM library) and in Spring Statemachine
 * (kept for continuity). Reported per transition.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransitionBenchmark {
  /** Inputs per replay: long enough to cover every stage many times. */
  public static final int TRACE_LENGTH = 1000;

  InputTrace trace;
  SpringConnectionMachine spring;
  Stateless4jConnectionMachine stateless4j;
  DriverReplay driver;

  /** Builds the trace and the baseline once. */
  @Setup
  public void setup() throws Exception {
    trace = new InputTrace(42, TRACE_LENGTH);
    spring = new SpringConnectionMachine(trace.policy.maxAttempts());
    stateless4j = new Stateless4jConnectionMachine(trace.policy.maxAttempts());
    driver = new DriverReplay(trace);
  }

  /** Tether's pure transition function. */
  @Benchmark
  @OperationsPerInvocation(TRACE_LENGTH)
  public int tetherStep() {
    return trace.replay();
  }

  /** The same trace through Tether's driver, its effects performed on a stub transport. */
  @Benchmark
  @OperationsPerInvocation(TRACE_LENGTH)
  public int tetherDriver() {
    return driver.replay();
  }

  /** The same trace through Spring Statemachine. */
  @Benchmark
  @OperationsPerInvocation(TRACE_LENGTH)
  public int springStatemachine() {
    return spring.replay(trace.kinds);
  }

  /** The same trace through stateless4j. */
  @Benchmark
  @OperationsPerInvocation(TRACE_LENGTH)
  public int stateless4j() {
    return stateless4j.replay(trace.kinds);
  }
}
