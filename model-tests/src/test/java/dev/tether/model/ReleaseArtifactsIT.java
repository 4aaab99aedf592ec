package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * What {@code mvn -B install} hands a repository manager: for every shipped module (a jar module of
 * the reactor whose pom does not set {@code tether.notShipped}) a main jar with a legal, unique
 * {@code Automatic-Module-Name}, a sources jar and a javadoc jar covering each of its packages, the
 * POM metadata Maven Central requires, and a BOM that lists it at the project's version.
 *
 * <p>An integration test (failsafe): it runs after the reactor has packaged every module it depends
 * on, which {@code mvn -B verify} and {@code mvn -B install} do and {@code mvn test} does not.
 */
class ReleaseArtifactsIT {
  private static final Path ROOT = Path.of(System.getProperty("tether.root", "..")).normalize();

  /** A Java module name: dot-separated identifiers (keywords are checked separately). */
  private static final Pattern MODULE_NAME =
      Pattern.compile(
          "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
              + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

  private static final Set<String> KEYWORDS =
      Set.of(
          "abstract",
          "assert",
          "boolean",
          "break",
          "byte",
          "case",
          "catch",
          "char",
          "class",
          "const",
          "continue",
          "default",
          "do",
          "double",
          "else",
          "enum",
          "extends",
          "final",
          "finally",
          "float",
          "for",
          "goto",
          "if",
          "implements",
          "import",
          "instanceof",
          "int",
          "interface",
          "long",
          "native",
          "new",
          "package",
          "private",
          "protected",
          "public",
          "return",
          "short",
          "static",
          "strictfp",
          "super",
          "switch",
          "synchronized",
          "this",
          "throw",
          "throws",
          "transient",
          "try",
          "void",
          "volatile",
          "while",
          "true",
          "false",
          "null",
          "_");

  /** One module of the reactor, as its pom declares it. */
  private record Module(Path dir, Element pom) {
    String artifactId() {
      return child(pom, "artifactId");
    }

    boolean shipped() {
      Element properties = element(pom, "properties");
      boolean notShipped =
          properties != null && "true".equals(child(properties, "tether.notShipped"));
      String packaging = child(pom, "packaging");
      return !notShipped && (packaging == null || packaging.equals("jar"));
    }

    Path artifact(String classifier) {
      String suffix = classifier.isEmpty() ? "" : "-" + classifier;
      return dir.resolve("target").resolve(artifactId() + "-" + version() + suffix + ".jar");
    }
  }

  @Test
  void everyShippedJarHasSourcesJavadocAndAModuleName() throws IOException {
    assertThat(shipped()).as("shipped modules").hasSizeGreaterThanOrEqualTo(4);
    for (Module m : shipped()) {
      Path jar = m.artifact("");
      assertThat(jar).as(m.artifactId() + " main jar (run through mvn -B verify)").isRegularFile();
      Set<String> packages;
      String moduleName;
      try (JarFile main = new JarFile(jar.toFile())) {
        moduleName = main.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
        packages = packages(main, ".class");
      }
      assertThat(moduleName)
          .as(m.artifactId() + ": Automatic-Module-Name (set tether.moduleName in its pom)")
          .isNotNull()
          .startsWith("dev.tether.")
          .matches(MODULE_NAME);
      assertThat(Set.of(moduleName.split("\\.")))
          .as(m.artifactId() + ": no Java keyword in " + moduleName)
          .doesNotContainAnyElementsOf(KEYWORDS);
      assertThat(packages).as(m.artifactId() + " classes").isNotEmpty();

      Path sources = m.artifact("sources");
      assertThat(sources).as(m.artifactId() + " sources jar").isRegularFile();
      try (JarFile jarFile = new JarFile(sources.toFile())) {
        assertThat(packages(jarFile, ".java"))
            .as(m.artifactId() + ": sources of every package")
            .containsAll(packages);
      }

      Path javadoc = m.artifact("javadoc");
      assertThat(javadoc).as(m.artifactId() + " javadoc jar").isRegularFile();
      try (JarFile jarFile = new JarFile(javadoc.toFile())) {
        assertThat(jarFile.getEntry("index.html"))
            .as(m.artifactId() + " javadoc index")
            .isNotNull();
        // With a module name, javadoc lays pages out by module: NAME/dev/tether/…/package-summary.
        String prefix = moduleName + "/";
        Set<String> documented = new TreeSet<>();
        jarFile.stream()
            .map(e -> e.getName())
            .filter(n -> n.endsWith("/package-summary.html"))
            .map(n -> n.startsWith(prefix) ? n.substring(prefix.length()) : n)
            .forEach(n -> documented.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
        assertThat(documented)
            .as(m.artifactId() + ": javadoc of every package")
            .containsAll(packages);
      }
    }
  }

  @Test
  void moduleNamesAreUniqueAndNoPackageIsSplitAcrossJars() throws IOException {
    Map<String, String> moduleOwner = new HashMap<>();
    Map<String, String> packageOwner = new HashMap<>();
    for (Module m : shipped()) {
      try (JarFile main = new JarFile(m.artifact("").toFile())) {
        String name = main.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
        assertThat(moduleOwner.put(name, m.artifactId()))
            .as("module name " + name + " of " + m.artifactId() + " already used by")
            .isNull();
        for (String p : packages(main, ".class")) {
          // Two automatic modules with one package cannot both be on the module path.
          assertThat(packageOwner.put(p, m.artifactId()))
              .as("package " + p + " of " + m.artifactId() + " is also in")
              .isNull();
        }
      }
    }
  }

  @Test
  void theBomListsEveryShippedModuleAtTheProjectVersion() throws IOException {
    Element bom = pom(ROOT.resolve("bom"));
    assertThat(child(bom, "artifactId")).isEqualTo("tether-bom");
    assertThat(child(bom, "version")).as("tether-bom version").isEqualTo(version());
    assertThat(element(bom, "parent"))
        .as("tether-bom inherits nothing (importing it must not import the build's versions)")
        .isNull();
    Map<String, String> managed = new HashMap<>();
    Element dependencies = element(element(bom, "dependencyManagement"), "dependencies");
    for (Element d : children(dependencies, "dependency")) {
      assertThat(child(d, "groupId")).isEqualTo("dev.tether");
      managed.put(child(d, "artifactId"), child(d, "version"));
    }
    for (Module m : shipped()) {
      assertThat(managed)
          .as("tether-bom entry for " + m.artifactId())
          .containsEntry(m.artifactId(), "${project.version}");
    }
  }

  @Test
  void pomsCarryWhatARepositoryManagerRequires() throws IOException {
    for (Element pom : List.of(pom(ROOT), pom(ROOT.resolve("bom")))) {
      String what = child(pom, "artifactId");
      assertThat(child(pom, "url")).as(what + " url").isNotBlank();
      Element license = element(element(pom, "licenses"), "license");
      assertThat(child(license, "name")).as(what + " licence").isEqualTo("Apache-2.0");
      assertThat(child(license, "url")).as(what + " licence url").contains("LICENSE-2.0");
      assertThat(child(element(element(pom, "developers"), "developer"), "name"))
          .as(what + " developer")
          .isNotBlank();
      Element scm = element(pom, "scm");
      assertThat(child(scm, "url")).as(what + " scm url").isNotBlank();
      assertThat(child(scm, "connection")).as(what + " scm connection").startsWith("scm:git:");
    }
    for (Module m : shipped()) {
      // name is not inherited; an inherited description would describe the parent.
      assertThat(child(m.pom(), "name")).as(m.artifactId() + " name").isNotBlank();
      assertThat(child(m.pom(), "description")).as(m.artifactId() + " description").isNotBlank();
    }
    String license = Files.readString(ROOT.resolve("LICENSE"), StandardCharsets.UTF_8);
    assertThat(license).contains("Apache License", "Version 2.0, January 2004");
  }

  @Test
  void theExamplesDefaultToTheProjectVersion() throws IOException {
    List<Path> examples = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(ROOT.resolve("examples"))) {
      dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).forEach(examples::add);
    }
    assertThat(examples).as("examples").hasSizeGreaterThanOrEqualTo(3);
    for (Path example : examples) {
      Element pom = pom(example);
      assertThat(child(element(pom, "properties"), "tether.version"))
          .as(example.getFileName() + " tether.version")
          .isEqualTo(version());
    }
  }

  private static List<Module> shipped() throws IOException {
    List<Module> shipped = new ArrayList<>();
    for (Element module : children(element(pom(ROOT), "modules"), "module")) {
      Path dir = ROOT.resolve(module.getTextContent().trim());
      Module m = new Module(dir, pom(dir));
      if (m.shipped()) {
        shipped.add(m);
      }
    }
    return shipped;
  }

  private static Set<String> packages(JarFile jar, String suffix) {
    Set<String> packages = new TreeSet<>();
    jar.stream()
        .map(e -> e.getName())
        .filter(n -> n.endsWith(suffix) && n.startsWith("dev/") && n.indexOf('/') > 0)
        .filter(n -> !n.endsWith("package-info" + suffix) && !n.endsWith("module-info" + suffix))
        .forEach(n -> packages.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
    return packages;
  }

  private static String version() {
    try {
      return child(pom(ROOT), "version");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Element pom(Path dir) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document doc = factory.newDocumentBuilder().parse(dir.resolve("pom.xml").toFile());
      return doc.getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("cannot read " + dir.resolve("pom.xml"), e);
    }
  }

  /** The direct child element {@code name} of {@code parent}, or null. */
  private static Element element(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  /** The trimmed text of the direct child element {@code name}, or null. */
  private static String child(Element parent, String name) {
    Element e = element(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    if (parent == null) {
      return found;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        found.add(e);
      }
    }
    return found;
  }
}
