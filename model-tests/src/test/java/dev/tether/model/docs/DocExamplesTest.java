package dev.tether.model.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.model.docs.DocFiles.Block;
import dev.tether.model.docs.DocFiles.Region;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps every Java example of the documentation compiled: each {@code ```java} block of {@code
 * README.md} and {@code docs/*.md} stands after an {@code <!-- example:NAME -->} marker, and is,
 * line by trimmed line, the {@code // example:NAME:begin} … {@code :end} region of exactly one test
 * source in the repository, which compiles it (and, mostly, runs it). Fragments that are not meant
 * to compile are {@code ```text} blocks, never unmarked Java.
 */
class DocExamplesTest {

  @Test
  void everyJavaBlockIsTheRegionOfOneTest() {
    Map<String, List<Region>> regions =
        DocFiles.regions().stream().collect(Collectors.groupingBy(Region::name));
    List<String> problems = new ArrayList<>();
    for (Path file : DocFiles.markdown()) {
      for (Block block : DocFiles.blocks(file)) {
        if (!block.info().equals("java")) {
          continue;
        }
        if (block.marker() == null) {
          problems.add(block.where() + ": ```java block without an <!-- example:NAME --> marker");
          continue;
        }
        List<Region> found = regions.getOrDefault(block.marker(), List.of());
        if (found.size() != 1) {
          problems.add(
              block.where()
                  + ": example '"
                  + block.marker()
                  + "' needs exactly one // example:"
                  + block.marker()
                  + ":begin region in the test sources, found "
                  + found.stream().map(Region::source).toList());
        } else if (!DocFiles.trimmed(block.body()).equals(DocFiles.trimmed(found.get(0).body()))) {
          problems.add(
              block.where()
                  + ": example '"
                  + block.marker()
                  + "' differs from its region in "
                  + found.get(0).source());
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyMarkerIsUsedOnceAndStandsBeforeAJavaBlock() {
    Map<String, String> seen = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Path file : DocFiles.markdown()) {
      List<String> marked =
          DocFiles.blocks(file).stream()
              .filter(b -> b.marker() != null && b.info().equals("java"))
              .map(Block::marker)
              .toList();
      for (String name : DocFiles.markers(file)) {
        String where = DocFiles.ROOT.relativize(file).toString();
        String before = seen.put(name, where);
        if (before != null) {
          problems.add("example '" + name + "' is marked in " + before + " and in " + where);
        }
        if (!marked.contains(name)) {
          problems.add(where + ": marker '" + name + "' is not followed by a ```java block");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyRegionIsShownInTheDocs() {
    List<String> marked = new ArrayList<>();
    DocFiles.markdown().forEach(f -> marked.addAll(DocFiles.markers(f)));
    List<String> orphans =
        DocFiles.regions().stream()
            .filter(r -> !marked.contains(r.name()))
            .map(r -> r.name() + " in " + r.source())
            .toList();
    assertThat(orphans).as("regions no doc shows").isEmpty();
  }
}
