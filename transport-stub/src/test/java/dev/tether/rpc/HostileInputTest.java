package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.result;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * R1: a corpus of malformed and adversarial frames. Each frame is counted under exactly the
 * expected counter, the connection stays up, memory stays bounded, and a normal request still works
 * afterwards.
 */
class HostileInputTest {
  static final ToLongFunction<ConnectionStats> MALFORMED = ConnectionStats::malformedFrames;
  static final ToLongFunction<ConnectionStats> UNMATCHED = ConnectionStats::unmatchedResponses;
  static final ToLongFunction<ConnectionStats> UNROUTED = ConnectionStats::unroutedNotifications;
  static final ToLongFunction<ConnectionStats> SERVER_REQ = ConnectionStats::serverRequests;
  static final ToLongFunction<ConnectionStats> IDLESS = ConnectionStats::idlessErrors;

  /** A flood's size (the 10^6). */
  static final int FLOOD = 1_000_000;

  /** Events a slow consumer may hold: the flood must not grow memory past this. */
  static final int LANE_CAPACITY = 1_000;

  /** One adversarial frame and the counter it must land in. */
  static final class Case {
    final String name;
    final byte[] frame;
    final ToLongFunction<ConnectionStats> counter;

    Case(String name, byte[] frame, ToLongFunction<ConnectionStats> counter) {
      this.name = name;
      this.frame = frame.clone();
      this.counter = counter;
    }
  }

  static Case text(String name, String frame, ToLongFunction<ConnectionStats> counter) {
    return new Case(name, frame.getBytes(UTF_8), counter);
  }

  static List<Case> corpus() {
    List<Case> c = new ArrayList<>();
    c.add(text("truncated", "{\"jsonrpc\":\"2.0\",\"id\":1,\"res", MALFORMED));
    c.add(text("empty", "", MALFORMED));
    c.add(text("blank", "   ", MALFORMED));
    c.add(text("array", "[1,2]", MALFORMED));
    c.add(text("number", "42", MALFORMED));
    c.add(text("string", "\"s\"", MALFORMED));
    c.add(text("null", "null", MALFORMED));
    c.add(text("boolean", "true", MALFORMED));
    c.add(text("deep array", "[".repeat(100_000) + "]".repeat(100_000), MALFORMED));
    c.add(text("deep object", "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000), MALFORMED));
    c.add(text("nested within bounds", "{\"a\":".repeat(200) + "1" + "}".repeat(200), MALFORMED));
    c.add(
        text(
            "huge id",
            "{\"jsonrpc\":\"2.0\",\"id\":" + "9".repeat(5_000) + ",\"result\":1}",
            MALFORMED));
    c.add(
        text("huge exponent id", "{\"jsonrpc\":\"2.0\",\"id\":1e999999,\"result\":1}", UNMATCHED));
    c.add(
        text(
            "big integer id",
            "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"result\":1}",
            UNMATCHED));
    c.add(text("fractional id", "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"result\":1}", UNMATCHED));
    c.add(text("negative id", "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":1}", UNMATCHED));
    c.add(text("unknown id", "{\"jsonrpc\":\"2.0\",\"id\":424242,\"result\":1}", UNMATCHED));
    c.add(text("string id", "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":1}", UNMATCHED));
    c.add(
        text(
            "null id",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse\"}}",
            IDLESS));
    c.add(text("missing id", "{\"error\":{\"code\":-32600,\"message\":\"refused\"}}", IDLESS));
    c.add(text("null id result", "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":1}", UNMATCHED));
    c.add(text("boolean id", "{\"jsonrpc\":\"2.0\",\"id\":true,\"result\":1}", UNMATCHED));
    c.add(text("object id", "{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":1}", UNMATCHED));
    c.add(text("array id", "{\"jsonrpc\":\"2.0\",\"id\":[1],\"result\":1}", UNMATCHED));
    c.add(
        text(
            "huge number in result",
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":1e999999999}",
            UNMATCHED));
    c.add(text("wrong jsonrpc", "{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":1}", MALFORMED));
    c.add(text("numeric jsonrpc", "{\"jsonrpc\":2.0,\"method\":\"x\"}", MALFORMED));
    c.add(text("null jsonrpc", "{\"jsonrpc\":null,\"method\":\"x\"}", MALFORMED));
    c.add(text("numeric method", "{\"jsonrpc\":\"2.0\",\"method\":5}", MALFORMED));
    c.add(text("numeric notification", "{\"notification\":5}", MALFORMED));
    c.add(text("trailing garbage", "{\"jsonrpc\":\"2.0\",\"method\":\"x\"} xx", MALFORMED));
    c.add(
        new Case(
            "invalid utf-8",
            new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'},
            MALFORMED));
    c.add(text("server request", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}", SERVER_REQ));
    c.add(text("unknown notification", "{\"jsonrpc\":\"2.0\",\"method\":\"foo\"}", UNROUTED));
    c.add(
        text(
            "event of unsubscribed stream",
            "{\"jsonrpc\":\"2.0\",\"method\":\"streamNotify\",\"params\":{\"streamId\":\"Nope\",\"event\":{}}}",
            UNROUTED));
    c.add(
        text(
            "numeric streamId",
            "{\"jsonrpc\":\"2.0\",\"method\":\"streamNotify\",\"params\":{\"streamId\":3}}",
            UNROUTED));
    return c;
  }

  final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);

  StubConnection serverSide() {
    return vm.server.connections().get(0);
  }

  @Test
  void everyCorpusFrameIsCountedUnderItsKindAndNothingBreaks() {
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()));
    for (Case k : corpus()) {
      long before = k.counter.applyAsLong(c.stats());
      long framesBefore = c.stats().framesIn();
      serverSide().push(k.frame);
      vm.clock.runUntilIdle();
      assertThat(c.stats().framesIn()).as(k.name).isEqualTo(framesBefore + 1);
      assertThat(k.counter.applyAsLong(c.stats())).as(k.name).isEqualTo(before + 1);
      assertThat(c.state()).as(k.name).isEqualTo(new ConnectionState.Connected(1));
    }
    ConnectionStats s = c.stats();
    assertThat(
            s.malformedFrames()
                + s.unmatchedResponses()
                + s.unroutedNotifications()
                + s.serverRequests()
                + s.idlessErrors())
        .isEqualTo(corpus().size());
    CompletableFuture<JsonNode> r = f(c.request("echo", JSON.arrayNode().add("still fine")));
    vm.clock.runUntilIdle();
    assertThat(result(r).get(0).asText()).isEqualTo("still fine");
  }

  @Test
  void malformedErrorObjectStillSettlesItsRequestAndADuplicateIsCounted() throws Exception {
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()));
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    long id = new ObjectMapper().readTree(vm.sent.get(vm.sent.size() - 1)).get("id").asLong();
    byte[] bad = ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":\"oops\"}").getBytes(UTF_8);
    serverSide().push(bad);
    serverSide().push(bad);
    vm.clock.runUntilIdle();
    assertThat(failure(r))
        .isInstanceOfSatisfying(
            RpcException.RemoteError.class, e -> assertThat(e.code()).isEqualTo(-32603));
    assertThat(c.stats().unmatchedResponses()).isEqualTo(1);
    assertThat(c.stats().inFlight()).isZero();
  }

  @Test
  void aMillionNotificationsAreCountedAndHeldInBoundedMemory() {
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()));
    List<Runnable> neverRun = new ArrayList<>();
    c.listen(
        "Flood",
        e -> {},
        Delivery.queued(neverRun::add, LANE_CAPACITY, Delivery.Overflow.DROP_OLDEST));
    vm.clock.runUntilIdle();
    byte[] routed =
        "{\"jsonrpc\":\"2.0\",\"method\":\"streamNotify\",\"params\":{\"streamId\":\"Flood\",\"event\":{\"kind\":\"x\",\"n\":12345}}}"
            .getBytes(UTF_8);
    long heapBefore = usedHeap();
    StubConnection s = serverSide();
    for (int batch = 0; batch < FLOOD / 10_000; batch++) {
      for (int i = 0; i < 10_000; i++) {
        s.push(routed);
      }
      vm.clock.runUntilIdle();
    }
    long grown = usedHeap() - heapBefore;
    ConnectionStats st = c.stats();
    assertThat(st.eventsReceived()).isEqualTo(FLOOD);
    assertThat(st.eventsDropped()).isEqualTo(FLOOD - LANE_CAPACITY);
    assertThat(st.framesIn()).isGreaterThanOrEqualTo(FLOOD);
    // Retaining the flood would take > 100 MiB (1e6 trees); a bounded lane holds 1000 events.
    assertThat(grown).as("heap growth in bytes").isLessThan(32L * 1024 * 1024);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
