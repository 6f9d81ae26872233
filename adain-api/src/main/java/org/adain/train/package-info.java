/**
 * Training a decoder for an encoder: {@link org.adain.train.DecoderTrainer} (built once, run, closed),
 * {@link org.adain.train.TrainingListener} (progress, skipped files, checkpoints, samples, warnings) and
 * {@link org.adain.train.LossLog} (reads the {@code losses.csv} a run writes). The numerical work runs in a backend
 * through {@link org.adain.spi.BackendProvider#train}; this package does the data, checkpoints, the loss log,
 * samples and the export. It is plain Java and draws no plots: the {@code adain train} command of
 * {@code adain-examples} draws {@code losses.png} from the loss log.
 *
 * <pre>{@code
 * try (DecoderTrainer t = DecoderTrainer.builder().encoder(Path.of("vgg_normalised.h5"))
 *         .contentDir(Path.of("coco")).styleDir(Path.of("wikiart")).outputDir(Path.of("run1")).build()) {
 *     DecoderTrainer.Result r = t.run();
 * }
 * }</pre>
 */
package org.adain.train;
