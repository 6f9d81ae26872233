package org.adain.testkit.formats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The weight-format fixtures made by {@code adain-testkit/oracle/make_torch_fixtures.py}: the testkit's small
 * model (the one in {@code reference/models/encoder_tf2.h5} and {@code decoder_tf2.h5}) as PyTorch state dicts
 * and Torch7 files in the layouts of the published AdaIN models, plus defective and hostile files.
 *
 * <pre>{@code
 * Path vgg = FormatFixtures.copyTo(FormatFixtures.ZIP_ENCODER, tempDir);  // readers need real files
 * }</pre>
 *
 * Names are relative to {@link #RESOURCE_ROOT}; {@link #copyTo} keeps the sub-directory, so the zip and legacy
 * files (which share file names, as the released files do) do not overwrite each other.
 */
public final class FormatFixtures {
    public static final String RESOURCE_ROOT = "org/adain/testkit/formats/";

    public static final String ZIP_ENCODER = "zip/vgg_normalised.pth";
    public static final String ZIP_DECODER = "zip/decoder.pth";
    public static final String LEGACY_ENCODER = "legacy/vgg_normalised.pth";
    public static final String LEGACY_DECODER = "legacy/decoder.pth";
    public static final String FLOAT16_ENCODER = "float16/vgg_normalised.pth";
    public static final String FLOAT16_DECODER = "float16/decoder.pth";
    public static final String FLOAT64_DECODER = "float64/decoder.pth";
    public static final String T7_ENCODER = "t7/vgg_normalised.t7";
    public static final String T7_ENCODER_2D = "t7/vgg_normalised_2d.t7";
    public static final String T7_DECODER = "t7/decoder.t7";

    public static final String BAD_MISSING_KEY = "bad/decoder_missing_key.pth";
    public static final String BAD_EXTRA_KEY = "bad/vgg_extra_key.pth";
    public static final String BAD_FOO_KEY = "bad/decoder_foo_key.pth";
    public static final String BAD_WRONG_SHAPE = "bad/decoder_wrong_shape.pth";
    public static final String BAD_NAN = "bad/decoder_nan.pth";
    public static final String BAD_WHOLE_MODEL = "bad/whole_model.pth";
    /** Keys prefixed 'module.', as nn.DataParallel saves them. */
    public static final String BAD_PREFIXED = "bad/vgg_prefixed.pth";

    public static final String EVIL_ZIP = "hostile/evil_zip.pth";
    public static final String EVIL_LEGACY = "hostile/evil_legacy.pth";
    public static final String T7_UNKNOWN_CLASS = "hostile/unknown_class.t7";
    public static final String T7_LUA_FUNCTION = "hostile/lua_function.t7";

    /** The file the malicious pickles would create ({@code os.system('touch adain-pwned-marker')}). */
    public static final String MARKER = "adain-pwned-marker";

    private FormatFixtures() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a fixture to {@code directory/name} (sub-directory kept), replacing an existing file. */
    public static Path copyTo(String name, Path directory) {
        try (InputStream in = open(name)) {
            Path target = directory.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = FormatFixtures.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + name);
        if (in == null) {
            throw new NoSuchFileException("classpath:" + RESOURCE_ROOT + name
                    + " (regenerate with /usr/bin/python3 adain-testkit/oracle/make_torch_fixtures.py)");
        }
        return in;
    }
}
