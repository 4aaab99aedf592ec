package dev.tether.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The smoke profile of a benchmark class: one instance, its {@code @Setup} once, each named
 * {@code @Benchmark} method called a few times in this thread, its {@code @TearDown} on every path.
 * JMH would build a state, and start its children, once per benchmark method (for {@link
 * McpBenchmark} eight node servers instead of two), and spends about a second of its own per
 * method. The score is operations per second of those few calls, which proves only that the method
 * runs; what each call returned is kept, so the smoke test can check that both sides of a
 * comparison computed the same thing.
 */
final class SmokePass {
  private SmokePass() {}

  /**
   * Runs {@code methods} (full names, {@code package.Class.method}, all of class {@code cls}) each
   * {@code invocations} times on one instance of {@code cls}; puts each score (operations per
   * second) into {@code scores} and each method's last answer into {@code answers}, by full name.
   *
   * @throws IllegalArgumentException if a name is not a {@code @Benchmark} method of {@code cls}
   * @throws IllegalStateException if set-up, a call or tear-down fails
   */
  static void run(
      Class<?> cls,
      Collection<String> methods,
      int invocations,
      Map<String, Double> scores,
      Map<String, Object> answers) {
    benchmarks(cls, methods); // a name that is no benchmark fails before anything starts
    runOn(setUp(cls), methods, invocations, scores, answers);
  }

  /**
   * As {@link #run(Class, Collection, int, Map, Map)} on {@code state}, an instance already set up
   * ({@link #setUp}: the smoke pass sets up early, beside other steps); its {@code @TearDown} runs
   * at the end on every path.
   */
  static void runOn(
      Object state,
      Collection<String> methods,
      int invocations,
      Map<String, Double> scores,
      Map<String, Object> answers) {
    try {
      calls(state, methods, invocations, scores, answers);
    } finally {
      tearDown(state);
    }
  }

  /**
   * Calls each of {@code methods} (full names, of {@code state}'s class) {@code invocations} times
   * on {@code state}, set up and not torn down; puts the scores and last answers as {@link #run}
   * does. The caller tears {@code state} down.
   *
   * @throws IllegalArgumentException if a name is not a {@code @Benchmark} method of its class
   * @throws IllegalStateException if a call fails
   */
  static void calls(
      Object state,
      Collection<String> methods,
      int invocations,
      Map<String, Double> scores,
      Map<String, Object> answers) {
    Class<?> cls = state.getClass();
    for (Method m : benchmarks(cls, methods)) {
      String name = cls.getName() + "." + m.getName();
      OperationsPerInvocation ops = m.getAnnotation(OperationsPerInvocation.class);
      long start = System.nanoTime();
      Object answer = null;
      for (int i = 0; i < invocations; i++) {
        answer = call(m, state);
      }
      double seconds = Math.max(1, System.nanoTime() - start) / 1e9;
      scores.put(name, invocations * (ops == null ? 1 : ops.value()) / seconds);
      answers.put(name, answer);
    }
  }

  /**
   * A new instance of {@code cls}, set up. If the set-up method fails, the tear-down method runs
   * (what was started before the failure is stopped) and the failure goes on.
   *
   * @throws IllegalStateException if the set-up fails
   */
  static <T> T setUp(Class<T> cls) {
    T state = newInstance(cls);
    try {
      call(annotated(cls, Setup.class), state);
    } catch (RuntimeException e) {
      try {
        tearDown(state);
      } catch (RuntimeException stopping) {
        e.addSuppressed(stopping); // a half set-up state may fail to stop what it never started
      }
      throw e;
    }
    return state;
  }

  /**
   * Runs the tear-down method of {@code state}, if it has one.
   *
   * @throws IllegalStateException if it fails
   */
  static void tearDown(Object state) {
    call(annotated(state.getClass(), TearDown.class), state);
  }

  private static List<Method> benchmarks(Class<?> cls, Collection<String> methods) {
    List<Method> benchmarks = new ArrayList<>();
    for (String name : methods) {
      benchmarks.add(benchmark(cls, name.substring(name.lastIndexOf('.') + 1)));
    }
    return benchmarks;
  }

  private static Method benchmark(Class<?> cls, String name) {
    try {
      Method m = cls.getMethod(name);
      if (!m.isAnnotationPresent(Benchmark.class)) {
        throw new IllegalArgumentException(cls.getName() + "." + name + " is not a @Benchmark");
      }
      return m;
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "no benchmark " + name + "() in " + cls.getName() + " (a row names it)", e);
    }
  }

  /** The one public method of {@code cls} with {@code annotation}, or null. */
  private static Method annotated(
      Class<?> cls, Class<? extends java.lang.annotation.Annotation> annotation) {
    for (Method m : cls.getMethods()) {
      if (m.isAnnotationPresent(annotation)) {
        return m;
      }
    }
    return null;
  }

  private static <T> T newInstance(Class<T> cls) {
    try {
      return cls.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + cls.getName(), e);
    }
  }

  private static Object call(Method m, Object state) {
    if (m == null) {
      return null;
    }
    try {
      return m.invoke(state);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          m.getDeclaringClass().getSimpleName() + "." + m.getName() + " failed", e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot call " + m, e);
    }
  }
}
