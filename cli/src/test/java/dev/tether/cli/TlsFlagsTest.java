package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --trust-cert} and {@code --insecure} against a {@code wss://} server with a self-signed
 * certificate: rejected by default with the TLS reason, accepted when trusted explicitly.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
// Vert.x marks SelfSignedCertificate for removal but still ships it in 5.x (see WssTest in
// transport-vertx): the simplest throw-away certificate for a test.
@SuppressWarnings("removal")
class TlsFlagsTest {
  private static SelfSignedCertificate certificate;
  private Vertx vertx;
  private VmServiceServer server;
  private String endpoint;

  @BeforeAll
  static void generateCertificate() {
    certificate = SelfSignedCertificate.create("localhost");
  }

  @AfterAll
  static void deleteCertificate() {
    certificate.delete();
  }

  @BeforeEach
  void startServer() throws Exception {
    vertx = Vertx.vertx();
    server =
        VmServiceServer.builder(vertx).host("127.0.0.1").tls(certificate.keyCertOptions()).build();
    int port = TestServer.await(server.start()).getPort();
    endpoint = "wss://localhost:" + port + "/ws"; // the name the certificate carries
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void selfSignedServerIsRejectedByDefaultWithTheTlsReason() throws Exception {
    CliRun call = CliRun.complete(4, "call", endpoint, "getVersion");
    assertThat(call.err.toString())
        .contains("cannot connect to " + endpoint)
        .contains("TLS handshake with localhost:")
        .contains("to trust this server: --trust-cert FILE.pem")
        .doesNotContain("TlsOptions");

    CliRun watch = CliRun.complete(3, "watch", endpoint, "--max-attempts", "1", "--json");
    assertThat(watch.err.toString())
        .contains("permanently disconnected")
        .contains("TLS handshake")
        .contains("--trust-cert");
  }

  @Test
  void aCertificateThatIsNotTheServersIsNamedAndInsecureIsNotSuggested() throws Exception {
    SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
    try {
      String pem = other.certificatePath();
      CliRun call = CliRun.complete(4, "call", endpoint, "getVersion", "--trust-cert", pem);
      assertThat(call.err.toString())
          .contains("TLS handshake with localhost:")
          .contains("the certificate in " + pem + " does not verify this server")
          .doesNotContain("--insecure");
    } finally {
      other.delete();
    }
  }

  @Test
  void trustCertAndInsecureAcceptIt() throws Exception {
    String pem = certificate.certificatePath();
    CliRun trusted = CliRun.complete(0, "call", endpoint, "getVersion", "--trust-cert", pem);
    assertThat(trusted.out.toString()).contains("\"type\" : \"Version\"");
    CliRun insecure = CliRun.complete(0, "call", endpoint, "echo", "[1]", "--insecure", "--json");
    assertThat(CliRun.result(insecure.out.lines().get(0))).isEqualTo("[1]");
  }

  @Test
  void bothFlagsAtOnceAreAUsageError() throws Exception {
    CliRun run =
        CliRun.complete(
            2,
            "call",
            endpoint,
            "getVersion",
            "--trust-cert",
            certificate.certificatePath(),
            "--insecure");
    assertThat(run.err.toString())
        .startsWith("tether call: --trust-cert and --insecure exclude each other");
  }
}
