package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code tether bench --json} lines follow the rules of every command's JSON (docs/json.md). */
class BenchJsonTest {

  @Test
  void typeFirstNothingNullAndNamesInCamelCaseWithTheirUnit() {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    row.put("name", "B4 reconnect latency p99");
    row.put("tether", 9.5);
    row.putNull("baseline");
    row.put("ratio", Double.NaN);
    row.put("unit", "us");
    row.putNull("goal");
    row.put("over_baseline", 12);
    row.putObject("phases_us").put("timer", 1).put("baselineConnect", 2);
    row.putObject("naive_loop").put("back_max_ms", 3).putNull("lost");

    assertThat(BenchJson.line(row))
        .isEqualTo(
            "{\"type\":\"comparison\",\"name\":\"B4 reconnect latency p99\",\"tether\":9.5,"
                + "\"unit\":\"us\",\"overBaseline\":12,"
                + "\"phasesMicros\":{\"timer\":1,\"baselineConnect\":2},"
                + "\"naiveLoop\":{\"backMaxMillis\":3}}");
  }

  @Test
  void aRealRowIsPrintedByTheRules() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BenchMain.memory(1_000, 1, true, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String line = bytes.toString(StandardCharsets.UTF_8).strip();

    assertThat(line)
        .startsWith("{\"type\":\"comparison\",\"name\":\"B5 memory (simulator, 1000 sessions)\"")
        .contains("\"goal\":2048")
        .doesNotContain("null")
        .doesNotContain("_");
  }
}
