package dev.tether.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's layering, enforced: the machine is pure, the core imports no framework, and no layer
 * imports from a layer above it.
 */
class ArchitectureTest {
  static final JavaClasses SHIPPED =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tether");

  /** Everything the pure machine must not touch: I/O, clocks, threads, logging, randomness. */
  static ArchRule machineIsPure(String machinePackage) {
    return noClasses()
        .that()
        .resideInAPackage(machinePackage)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.io..",
            "java.nio..",
            "java.net..",
            "java.util.concurrent..",
            "java.util.random..",
            "java.lang.reflect..",
            "org.slf4j..",
            "java.util.logging..",
            "java.sql..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.SplittableRandom")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.lang.Thread")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Clock")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Instant")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(Math.class, "random")
        .as("the machine package touches no I/O, clock, thread, logging or randomness API");
  }

  @Test
  void machineIsPure() {
    machineIsPure("dev.tether.machine..").check(SHIPPED);
  }

  @Test
  void purityRuleCatchesAnImpureMachine() {
    JavaClasses fixture =
        new ClassFileImporter().importPackages("dev.tether.model.archfixture.machine");
    EvaluationResult result =
        machineIsPure("dev.tether.model.archfixture.machine..").evaluate(fixture);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().getDetails())
        .anyMatch(d -> d.contains("nanoTime"))
        .anyMatch(d -> d.contains("java.util.Random"));
  }

  @Test
  void coreImportsNoFrameworkOrTestLibrary() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.tether.machine..",
            "dev.tether.runtime..",
            "dev.tether.rpc..",
            "dev.tether.session..",
            "dev.tether.peer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..",
            "io.netty..",
            "org.springframework..",
            "org.junit..",
            "org.assertj..",
            "com.tngtech..",
            "dev.tether.stub..",
            "dev.tether.vertx..",
            "dev.tether.process..",
            "dev.tether.cli..")
        .because("tether-statemachine may depend on Jackson and the SLF4J API only")
        .check(SHIPPED);
  }

  @Test
  void noLayerImportsFromALayerAboveIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("machine")
        .definedBy("dev.tether.machine..")
        .layer("runtime")
        .definedBy("dev.tether.runtime..")
        .layer("rpc")
        .definedBy("dev.tether.rpc..")
        .layer("session")
        .definedBy("dev.tether.session..")
        .layer("peer")
        .definedBy("dev.tether.peer..")
        .whereLayer("peer")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("session")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("rpc")
        .mayOnlyBeAccessedByLayers("session", "peer")
        .whereLayer("runtime")
        .mayOnlyBeAccessedByLayers("rpc", "session", "peer")
        .check(SHIPPED);
  }

  @Test
  void processTransportDependsOnTheCoreOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.tether.process..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..",
            "io.netty..",
            "com.fasterxml..",
            "dev.tether.vertx..",
            "dev.tether.stub..",
            "dev.tether.cli..",
            "dev.tether.rpc..",
            "dev.tether.session..",
            "dev.tether.peer..")
        .because("tether-transport-process is a transport: it implements the runtime's SPI")
        .check(SHIPPED);
  }

  @Test
  void onlyTheVertxModuleUsesItsImplPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.tether.vertx..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tether.vertx.impl..")
        .because(
            "dev.tether.vertx.impl is not API; VertxTransport.checkEndpoint validates endpoints")
        .check(SHIPPED);
  }

  @Test
  void shippedModulesDoNotUseSpringStatemachine() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.springframework.statemachine..")
        .check(SHIPPED);
  }
}
