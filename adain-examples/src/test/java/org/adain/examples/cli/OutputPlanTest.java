package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Output naming and the output-is-an-input check, without a model. */
class OutputPlanTest {
    @TempDir
    Path dir;

    @Test
    void oneContentWritesTheGivenFile() {
        OutputPlan plan = OutputPlan.of(dir.resolve("x.jpeg").toString(), List.of(Path.of("a.png")), false, List.of());
        assertThat(plan.directory()).isNull();
        assertThat(plan.files()).containsExactly(dir.resolve("x.jpeg"));
    }

    @Test
    void trailingSlashMeansDirectory() {
        OutputPlan plan = OutputPlan.of(dir.resolve("new") + "/", List.of(Path.of("in/photo.jpeg")), false, List.of());
        assertThat(plan.directory()).isEqualTo(dir.resolve("new"));
        assertThat(plan.files()).containsExactly(dir.resolve("new/photo_stylized.jpeg"));
    }

    @Test
    void severalContentsShareTheFirstContentsExtensionOrPng() {
        assertThat(of("out", Path.of("a.JPG"), Path.of("b.png")).files())
                .containsExactly(Path.of("out/a_stylized.JPG"), Path.of("out/b_stylized.JPG"));
        assertThat(of("out", Path.of("a.bmp"), Path.of("b.jpg")).files())
                .containsExactly(Path.of("out/a_stylized.png"), Path.of("out/b_stylized.png"));
        assertThat(of("out", Path.of("noext"), Path.of("x.tar.gz")).files())
                .containsExactly(Path.of("out/noext_stylized.png"), Path.of("out/x.tar_stylized.png"));
    }

    @Test
    void duplicateNamesAreAUsageError() {
        assertThatThrownBy(() -> of("out", Path.of("a/x.png"), Path.of("b/x.jpg")))
                .isInstanceOf(OutputPlan.UsageError.class).hasMessageContaining("a/x.png").hasMessageContaining("b/x.jpg");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.webp", "out.gif", "out", "out.tiff", "out.png.txt"})
    void unsupportedExtensionIsAUsageErrorNamingThePathAndTheAcceptedOnes(String name) {
        Path target = dir.resolve(name);
        OutputPlan plan = of(target.toString(), Path.of("a.png"));
        assertThatThrownBy(plan::checkFormat).isInstanceOf(OutputPlan.UsageError.class)
                .hasMessageContaining("--output").hasMessageContaining(target.toString())
                .hasMessageContaining(".png, .jpg or .jpeg");
    }

    @Test
    void directoryOutputsNeedNoExtensionCheck() {
        of(dir.resolve("out").toString(), Path.of("a.bmp"), Path.of("b.gif")).checkFormat();
    }

    @Test
    void aContentDirectoryMakesOutADirectoryEvenForOneImage() {
        OutputPlan plan = OutputPlan.of("out", List.of(Path.of("photos/a.jpg")), true, List.of());
        assertThat(plan.directory()).isEqualTo(Path.of("out"));
        assertThat(plan.files()).containsExactly(Path.of("out/a_stylized.jpg"));
    }

    @Test
    void eachStyleOfAStyleDirectoryGetsItsOwnResultsNamedAfterContentAndStyle() {
        OutputPlan plan = OutputPlan.of("out", List.of(Path.of("a.jpg"), Path.of("b.png")), false,
                List.of(Path.of("art/x.png"), Path.of("art/y.jpeg")));
        assertThat(plan.directory()).isEqualTo(Path.of("out"));
        // Style by style, each for every content in turn.
        assertThat(plan.files()).containsExactly(Path.of("out/a_stylized_x.jpg"), Path.of("out/b_stylized_x.jpg"),
                Path.of("out/a_stylized_y.jpg"), Path.of("out/b_stylized_y.jpg"));
        assertThat(plan.file(1, 0)).isEqualTo(Path.of("out/a_stylized_y.jpg"));
        assertThat(plan.file(0, 1)).isEqualTo(Path.of("out/b_stylized_x.jpg"));
    }

    @Test
    void twoStylesOfTheSameBaseNameAreAUsageError() {
        assertThatThrownBy(() -> OutputPlan.of("out", List.of(Path.of("a.jpg")), false,
                List.of(Path.of("art/x.png"), Path.of("art/x.jpg"))))
                .isInstanceOf(OutputPlan.UsageError.class).hasMessageContaining("--style art/x.png")
                .hasMessageContaining("--style art/x.jpg").hasMessageContaining("a_stylized_x.jpg");
    }

    @Test
    void anExistingFileWhereADirectoryIsNeededSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("existing.png"), "x");
        assertThatThrownBy(() -> OutputPlan.of(file.toString(), List.of(Path.of("a.jpg")), false,
                List.of(Path.of("art/x.png")))).isInstanceOf(OutputPlan.UsageError.class)
                .hasMessageContaining("existing.png").hasMessageContaining("a --style directory");
        assertThatThrownBy(() -> OutputPlan.of(file.toString(), List.of(Path.of("a.jpg")), true, List.of()))
                .isInstanceOf(OutputPlan.UsageError.class).hasMessageContaining("a --content directory");
    }

    /** The plan for contents combined with all the styles (no directory among the inputs). */
    private static OutputPlan of(String out, Path... contents) {
        return OutputPlan.of(out, List.of(contents), false, List.of());
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
        OutputPlan plan = of(enc.toString(), Path.of("a.png"));
        assertThatThrownBy(() -> plan.refuseInputs(List.of(Map.entry("content", Path.of("a.png")),
                Map.entry("encoder", enc)))).isInstanceOf(InputException.class)
                .hasMessageContaining("encoder").hasMessageContaining("refusing to overwrite");
    }
}
