package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.spi.Scheduler;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * I4 inside the callbacks of an ended connection: when close fails the requests still in flight,
 * the first failed request's callback runs after the terminal state, so by then no other request's
 * deadline may still hold a timer. The simulator found this at the end of a long run (B6-rpc, seed
 * 1, session 209): a stream cancelled at the last instant put an unsubscribe in flight beside a
 * slow request; the slow request's callback saw the connection {@code Closed} with the
 * unsubscribe's deadline timer still live.
 */
class QuietBeforeCallbacksTest {
  final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);

  /**
   * The connection's scheduler, counting the timers it has live (scheduled, not run or cancelled).
   */
  final class CountingScheduler implements Scheduler {
    int live;

    @Override
    public long nanoTime() {
      return vm.clock.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
      vm.clock.execute(task);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      live++;
      boolean[] done = {false};
      Cancellable handle =
          vm.clock.schedule(
              delay,
              () -> {
                if (!done[0]) {
                  done[0] = true;
                  live--;
                }
                task.run();
              });
      return () -> {
        boolean prevented = handle.cancel();
        if (prevented && !done[0]) {
          done[0] = true;
          live--;
        }
        return prevented;
      };
    }

    @Override
    public boolean inContext() {
      return vm.clock.inContext();
    }
  }

  @Test
  void closeLeavesNoDeadlineTimerLiveWhenTheFirstFailedRequestsCallbackRuns() {
    CountingScheduler timers = new CountingScheduler();
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()).scheduler(timers));
    vm.peer.silent(true); // nothing is answered: both requests stay in flight
    List<String> seen = new ArrayList<>();
    c.request("first", null)
        .whenComplete(
            (r, e) ->
                seen.add(
                    "terminal " + c.state().isTerminal() + ", " + timers.live + " timer(s) live"));
    c.request("second", null, RequestOptions.defaults().timeout(Duration.ofSeconds(60)));
    vm.clock.runUntilIdle();
    assertThat(timers.live).as("the deadline sweep's one timer").isEqualTo(1);

    c.close("done");
    vm.clock.runUntilIdle();

    assertThat(seen).containsExactly("terminal true, 0 timer(s) live");
    assertThat(timers.live).isZero();
  }
}
