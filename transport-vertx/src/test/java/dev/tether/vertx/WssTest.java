package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wss://} against a server with a self-signed certificate generated here (R3): rejected by
 * default with a clear error, accepted with the certificate trusted explicitly, host name still
 * verified, and switching verification off is logged at warn.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
// Vert.x marks SelfSignedCertificate for removal but still ships it in 5.x; it is the simplest way
// to generate a throw-away certificate inside the test. Replace with keytool when it goes.
@SuppressWarnings("removal")
class WssTest {
  private Vertx vertx;
  private static SelfSignedCertificate certificate;
  private VmServiceServer server;
  private VertxTransport transport;
  private int port;

  @BeforeAll
  static void generateCertificate() {
    certificate = SelfSignedCertificate.create("localhost"); // RSA key generation: once per class
  }

  @AfterAll
  static void deleteCertificate() {
    certificate.delete();
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    server =
        VmServiceServer.builder(vertx).host("127.0.0.1").tls(certificate.keyCertOptions()).build();
    port =
        server.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getPort();
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    if (transport != null) {
      transport.close();
    }
    Loopback.close(vertx);
  }

  @Test
  void selfSignedServerIsRejectedByDefault() {
    transport = VertxTransport.create(vertx);
    assertThatThrownBy(() -> open("localhost"))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("TLS handshake with localhost:" + port + " failed")
        .hasMessageContaining("certificate");
  }

  @Test
  void rejectionEndsTheConnectionWithAClearCause() throws Exception {
    transport = VertxTransport.create(vertx);
    ConnectionState end = connectUntilTheEnd(transport, "localhost");
    assertThat(end).isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    // Final by the default classifier: after one attempt of the default policy's ten.
    assertThat(((ConnectionState.PermanentlyDisconnected) end).attempts()).isEqualTo(1);
    Cause cause = ((ConnectionState.PermanentlyDisconnected) end).cause();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(cause.detail()).contains(new Cause.Detail.CertificateRejected());
    // The reason, for whoever reads it (a tool's end user too): no Java builder in it.
    assertThat(cause.message())
        .contains("TLS handshake")
        .contains("certificate and host name are verified by default")
        .doesNotContain("TlsOptions");
  }

  @Test
  void hostNameMismatchIsFatalToo() throws Exception {
    transport = VertxTransport.create(vertx, trusting());
    ConnectionState end = connectUntilTheEnd(transport, "127.0.0.1");
    Cause cause = ((ConnectionState.PermanentlyDisconnected) end).cause();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(cause.detail()).contains(new Cause.Detail.CertificateRejected());
  }

  private ConnectionState connectUntilTheEnd(VertxTransport transport, String host)
      throws Exception {
    Connection c =
        Connection.builder()
            .transport(transport)
            .scheduler(VertxScheduler.create(vertx))
            .endpoint(endpoint(host))
            .build();
    c.start();
    return c.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void explicitlyTrustedCertificateIsAccepted() throws Exception {
    transport = VertxTransport.create(vertx, trusting());
    RecordingListener listener = new RecordingListener();
    Channel ch =
        transport
            .open(endpoint("localhost"), listener)
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    ch.send(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getVersion\"}"
            .getBytes(StandardCharsets.UTF_8));
    assertThat(listener.nextFrame()).contains("\"type\":\"Version\"");
    ch.close();
  }

  @Test
  void trustedCertificateForAnotherHostIsStillRejected() {
    transport = VertxTransport.create(vertx, trusting());
    assertThatThrownBy(() -> open("127.0.0.1"))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + port + " failed");
  }

  @Test
  void switchingVerificationOffIsExplicitAndLoggedAtWarn() throws Exception {
    String log =
        stderrOf(
            () ->
                transport =
                    VertxTransport.create(
                        vertx,
                        VertxTransportOptions.builder()
                            .tls(
                                TlsOptions.builder()
                                    .insecureTrustAllCertificates(true)
                                    .verifyHostName(false)
                                    .build())
                            .build()));
    assertThat(log)
        .contains("WARN")
        .contains("certificate verification is OFF")
        .contains("host name verification is OFF");
    assertThat(open("127.0.0.1")).isNotNull();
  }

  @Test
  void conflictingTrustOptionsAreRejected() {
    assertThatThrownBy(
            () ->
                TlsOptions.builder()
                    .trustPemCertificate(Path.of(certificate.certificatePath()))
                    .insecureTrustAllCertificates(true)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("insecureTrustAllCertificates");
    assertThatThrownBy(() -> TlsOptions.builder().trustPemCertificate(Path.of("/no/such.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/no/such.pem");
  }

  private VertxTransportOptions trusting() {
    return VertxTransportOptions.builder()
        .tls(
            TlsOptions.builder()
                .trustPemCertificate(Path.of(certificate.certificatePath()))
                .build())
        .build();
  }

  private URI endpoint(String host) {
    return URI.create("wss://" + host + ":" + port + "/ws");
  }

  private Channel open(String host) throws Exception {
    return transport
        .open(endpoint(host), new RecordingListener())
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code action} and returns what it logged (slf4j-simple writes to System.err). */
  private static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
