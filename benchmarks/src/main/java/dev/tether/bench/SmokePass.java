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
    List<Method> benchmarks = new ArrayList<>();
    for (String name : methods) {
      benchmarks.add(benchmark(cls, name.substring(name.lastIndexOf('.') + 1)));
    }
    Object state = newInstance(cls);
    call(annotated(cls, Setup.class), state);
    try {
      for (Method m : benchmarks) {
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
    } finally {
      call(annotated(cls, TearDown.class), state);
    }
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

  private static Object newInstance(Class<?> cls) {
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
