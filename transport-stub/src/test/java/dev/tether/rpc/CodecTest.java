package dev.tether.rpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request frame: a body encoded once, with the id spliced in per send. */
class CodecTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final Codec codec = new Codec(Envelope.JSONRPC2);
  final Codec bare = new Codec(Envelope.BARE);

  @Test
  void aSplicedRequestIsTheJsonRpcRequestWithThatId() throws Exception {
    byte[] body =
        codec.requestBody("echo", JSON.readTree("{\"a\":[1,{\"b\":\"x\"}],\"c\":null}"), Map.of());
    for (long id : new long[] {1, 9, 10, 12_345, Long.MAX_VALUE}) {
      byte[] frame = codec.request(id, body);
      assertThat(new String(frame, StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"jsonrpc\":\"2.0\",\"id\":"
                  + id
                  + ",\"method\":\"echo\",\"params\":{\"a\":[1,{\"b\":\"x\"}],\"c\":null}}");
      JsonNode parsed = JSON.readTree(frame);
      assertThat(parsed.get("id").longValue()).isEqualTo(id);
    }
  }

  /** The id's digits are written straight into the frame (issue 19): each power of ten's edge. */
  @Test
  void everyIdIsWrittenDigitForDigitAtEachPowerOfTen() throws Exception {
    byte[] body = codec.requestBody("m", null, Map.of());
    for (long power = 1; power > 0 && power <= 1_000_000_000_000_000_000L; power *= 10) {
      for (long id : new long[] {power - 1, power, power + 1}) {
        assertThat(new String(codec.request(id, body), UTF_8))
            .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");
        assertThat(Codec.decimalDigits(id)).isEqualTo(Long.toString(id).length());
      }
    }
    assertThat(new String(bare.request(Long.MAX_VALUE, body), UTF_8))
        .isEqualTo("{\"id\":" + Long.MAX_VALUE + ",\"method\":\"m\"}");
    assertThatThrownBy(() -> codec.request(-1, body)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRequestWithoutParamsHasNoParamsMember() throws Exception {
    JsonNode parsed = JSON.readTree(codec.request(3, codec.requestBody("getVM", null, Map.of())));
    assertThat(parsed.toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"getVM\"}");
  }

  @Test
  void theSameBodySplicesUnderEveryNewIdUnchanged() throws Exception {
    byte[] body = codec.requestBody("m", JSON.createArrayNode().add("é✓"), Map.of());
    byte[] copy = body.clone();
    codec.request(1, body);
    codec.request(2, body);
    assertThat(body).isEqualTo(copy);
    assertThat(JSON.readTree(codec.request(2, body)).get("params").get(0).textValue())
        .isEqualTo("é✓");
  }

  @Test
  void somethingThatIsNotABodyIsRefused() {
    assertThatThrownBy(() -> codec.request(1, "[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBareEnvelopeSendsTheSameRequestWithoutAJsonrpcMember() throws Exception {
    byte[] body = bare.requestBody("Target.getTargets", JSON.readTree("{\"a\":1}"), Map.of());
    assertThat(new String(bare.request(42, body), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":42,\"method\":\"Target.getTargets\",\"params\":{\"a\":1}}");
    assertThat(new String(bare.request(7, bare.requestBody("m", null, Map.of())), UTF_8))
        .isEqualTo("{\"id\":7,\"method\":\"m\"}");
  }

  @Test
  void extraMembersFollowTheParamsInBothEnvelopes() throws Exception {
    RequestOptions options =
        RequestOptions.defaults()
            .member("sessionId", JSON.getNodeFactory().textNode("S1"))
            .member("meta", JSON.readTree("{\"k\":[1,null]}"));
    for (Codec c : new Codec[] {codec, bare}) {
      byte[] body = c.requestBody("echo", JSON.readTree("[1]"), options.members());
      String head = c == codec ? "{\"jsonrpc\":\"2.0\",\"id\":5," : "{\"id\":5,";
      assertThat(new String(c.request(5, body), UTF_8))
          .isEqualTo(
              head
                  + "\"method\":\"echo\",\"params\":[1],\"sessionId\":\"S1\",\"meta\":{\"k\":[1,null]}}");
    }
  }

  @Test
  void responsesAreAcceptedWithOrWithoutTheJsonrpcMemberInBothEnvelopes() {
    for (Codec c : new Codec[] {codec, bare}) {
      assertThat(c.decode(utf8("{\"id\":1,\"result\":7}")))
          .isEqualTo(new Codec.Result(1, JSON.getNodeFactory().numberNode(7)));
      assertThat(c.decode(utf8("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":8}")))
          .isEqualTo(new Codec.Result(2, JSON.getNodeFactory().numberNode(8)));
      assertThat(c.decode(utf8("{\"id\":3,\"error\":{\"code\":-1,\"message\":\"no\"}}")))
          .isInstanceOf(Codec.Failure.class);
      assertThat(c.decode(utf8("{\"method\":\"tick\",\"params\":{}}")))
          .isInstanceOf(Codec.Notification.class);
    }
  }

  @Test
  void anErrorWithANullOrMissingIdIsAnIdlessErrorWithTheServersMessage() {
    for (String frame :
        new String[] {
          "{\"error\":{\"code\":-32600,\"message\":\"Message has property other than 'id'\"}}",
          "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Message has"
              + " property other than 'id'\"}}"
        }) {
      Codec.Inbound in = bare.decode(utf8(frame));
      assertThat(in).isInstanceOf(Codec.IdlessError.class);
      RpcException.RemoteError error = ((Codec.IdlessError) in).error();
      assertThat(error.code()).isEqualTo(-32600);
      assertThat(error.remoteMessage()).isEqualTo("Message has property other than 'id'");
    }
    // A result without an id is still just unmatched.
    assertThat(codec.decode(utf8("{\"id\":null,\"result\":1}")))
        .isEqualTo(new Codec.Invalid(Codec.Problem.UNMATCHED_RESPONSE, "response id null"));
  }

  @Test
  void extraMembersMayNotReplaceTheEnvelopesOwn() {
    for (String name : new String[] {"id", "method", "params", "jsonrpc", ""}) {
      assertThatThrownBy(
              () -> RequestOptions.defaults().member(name, JSON.getNodeFactory().numberNode(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("member name");
    }
    assertThatThrownBy(
            () -> RequestOptions.defaults().member("x", JSON.getNodeFactory().missingNode()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RequestOptions.defaults().member("x", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void anExtraMemberIsCopiedSoLaterChangesDoNotReachTheRequest() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode value = JSON.createObjectNode().put("a", 1);
    RequestOptions options = RequestOptions.defaults().member("ctx", value);
    value.put("a", 2);
    assertThat(options.members().get("ctx").get("a").intValue()).isEqualTo(1);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }
}
