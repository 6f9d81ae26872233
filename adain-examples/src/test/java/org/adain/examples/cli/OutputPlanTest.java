package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.adain.ImageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output naming and the output-is-an-input check, without a model. */
class OutputPlanTest {
    @TempDir
    Path dir;

    @Test
    void oneContentWritesTheGivenFile() {
        OutputPlan plan = OutputPlan.of(dir.resolve("x.jpeg").toString(), List.of(Path.of("a.png")));
        assertThat(plan.directory()).isNull();
        assertThat(plan.files()).containsExactly(dir.resolve("x.jpeg"));
    }

    @Test
    void trailingSlashMeansDirectory() {
        OutputPlan plan = OutputPlan.of(dir.resolve("new") + "/", List.of(Path.of("in/photo.jpeg")));
        assertThat(plan.directory()).isEqualTo(dir.resolve("new"));
        assertThat(plan.files()).containsExactly(dir.resolve("new/photo_stylized.jpeg"));
    }

    @Test
    void severalContentsShareTheFirstContentsExtensionOrPng() {
        assertThat(OutputPlan.of("out", List.of(Path.of("a.JPG"), Path.of("b.png"))).files())
                .containsExactly(Path.of("out/a_stylized.JPG"), Path.of("out/b_stylized.JPG"));
        assertThat(OutputPlan.of("out", List.of(Path.of("a.bmp"), Path.of("b.jpg"))).files())
                .containsExactly(Path.of("out/a_stylized.png"), Path.of("out/b_stylized.png"));
        assertThat(OutputPlan.of("out", List.of(Path.of("noext"), Path.of("x.tar.gz"))).files())
                .containsExactly(Path.of("out/noext_stylized.png"), Path.of("out/x.tar_stylized.png"));
    }

    @Test
    void duplicateNamesAreAUsageError() {
        assertThatThrownBy(() -> OutputPlan.of("out", List.of(Path.of("a/x.png"), Path.of("b/x.jpg"))))
                .isInstanceOf(OutputPlan.UsageError.class).hasMessageContaining("a/x.png").hasMessageContaining("b/x.jpg");
    }

    @Test
    void unsupportedExtensionIsFoundBeforeTheWork() {
        OutputPlan plan = OutputPlan.of(dir.resolve("x.webp").toString(), List.of(Path.of("a.png")));
        assertThatThrownBy(plan::checkWritable).isInstanceOf(ImageException.class).hasMessageContaining("x.webp");
    }

    @Test
    void sameFileComparesNormalisedPathsWhenTheOutputDoesNotExist() throws Exception {
        Path input = Files.writeString(dir.resolve("in.png"), "x");
        assertThat(OutputPlan.sameFile(dir.resolve("sub/../in.png"), input)).isTrue();
        assertThat(OutputPlan.sameFile(dir.resolve("./in.png"), input)).isTrue();
        assertThat(OutputPlan.sameFile(dir.resolve("other.png"), input)).isFalse();
        assertThat(OutputPlan.sameFile(dir.resolve("a.png"), dir.resolve("sub/../a.png"))).isTrue();
    }

    @Test
    void refuseInputsNamesTheRole() throws Exception {
        Path enc = Files.writeString(dir.resolve("enc.h5"), "x");
        OutputPlan plan = OutputPlan.of(enc.toString(), List.of(Path.of("a.png")));
        assertThatThrownBy(() -> plan.refuseInputs(List.of(Map.entry("content", Path.of("a.png")),
                Map.entry("encoder", enc)))).isInstanceOf(InputException.class)
                .hasMessageContaining("encoder").hasMessageContaining("refusing to overwrite");
    }
}
