package dev.tether.vertx;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@code wss://} channel checks the server it talks to.
 *
 * <p>Secure by default (invariant R3): {@link #defaults()} verifies the server's certificate chain
 * against the JVM's default trust store and checks that the certificate names the host in the
 * endpoint. Each relaxation is explicit:
 *
 * <ul>
 *   <li>{@link Builder#trustPemCertificate(Path)} / {@link Builder#trustOptions(TrustOptions)}:
 *       trust the given certificates <em>instead of</em> the JVM's trust store (for a private CA or
 *       a self-signed server certificate). Verification stays on.
 *   <li>{@link Builder#verifyHostName(boolean) verifyHostName(false)}: accept a trusted certificate
 *       issued for another host name. Logged at {@code warn} when a transport is created with it.
 *   <li>{@link Builder#insecureTrustAllCertificates(boolean) insecureTrustAllCertificates(true)}:
 *       accept any certificate at all, which defeats TLS against an active attacker. Logged at
 *       {@code warn} when a transport is created with it. For throw-away local experiments only.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsOptions {
  private static final TlsOptions DEFAULTS = builder().build();

  private final TrustOptions trustOptions;
  private final boolean verifyHostName;
  private final boolean trustAll;

  private TlsOptions(Builder b) {
    this.trustOptions = b.trustOptions;
    this.verifyHostName = b.verifyHostName;
    this.trustAll = b.trustAll;
  }

  /** Verify the certificate chain with the JVM's trust store and verify the host name. */
  public static TlsOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The certificates to trust instead of the JVM's trust store, if configured. */
  public Optional<TrustOptions> trustOptions() {
    return Optional.ofNullable(trustOptions);
  }

  /** Whether the certificate must name the endpoint's host. Default true. */
  public boolean verifyHostName() {
    return verifyHostName;
  }

  /** Whether every certificate is accepted without verification. Default false. */
  public boolean insecureTrustAllCertificates() {
    return trustAll;
  }

  /** Whether any verification is switched off (the transport logs this at {@code warn}). */
  public boolean isInsecure() {
    return trustAll || !verifyHostName;
  }

  @Override
  public String toString() {
    return "TlsOptions[trust="
        + (trustAll ? "ALL (insecure)" : trustOptions == null ? "JVM default" : "explicit")
        + ", verifyHostName="
        + verifyHostName
        + "]";
  }

  /** Builds {@link TlsOptions}. Not thread-safe. */
  public static final class Builder {
    private TrustOptions trustOptions;
    private boolean verifyHostName = true;
    private boolean trustAll;

    private Builder() {}

    /**
     * Trusts the PEM certificate(s) in {@code certificateFile} instead of the JVM's trust store.
     *
     * @throws IllegalArgumentException if the file does not exist
     */
    public Builder trustPemCertificate(Path certificateFile) {
      Objects.requireNonNull(certificateFile, "certificateFile");
      if (!certificateFile.toFile().isFile()) {
        throw new IllegalArgumentException(
            "trustPemCertificate: no such file " + certificateFile.toAbsolutePath());
      }
      return trustOptions(new PemTrustOptions().addCertPath(certificateFile.toString()));
    }

    /** Trusts what {@code options} describe (PEM, JKS, PKCS#12) instead of the JVM's store. */
    public Builder trustOptions(TrustOptions options) {
      this.trustOptions = Objects.requireNonNull(options, "options").copy();
      return this;
    }

    /** Whether to check that the certificate names the endpoint's host. Default true. */
    public Builder verifyHostName(boolean verify) {
      this.verifyHostName = verify;
      return this;
    }

    /**
     * Accept every server certificate without verification. Insecure: anyone on the path can
     * impersonate the server. Default false.
     */
    public Builder insecureTrustAllCertificates(boolean trustAll) {
      this.trustAll = trustAll;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException if trusted certificates and trust-all are both set
     */
    public TlsOptions build() {
      if (trustAll && trustOptions != null) {
        throw new IllegalArgumentException(
            "insecureTrustAllCertificates(true) conflicts with explicit trusted certificates; "
                + "choose one");
      }
      return new TlsOptions(this);
    }
  }
}
