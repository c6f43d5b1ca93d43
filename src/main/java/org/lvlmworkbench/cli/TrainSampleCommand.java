package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import org.lvlmworkbench.core.train.SampleTrainer;
import org.lvlmworkbench.core.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train-sample", description = "Train the sample LLaVA on synthetic shape images (resumes if interrupted).")
final class TrainSampleCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model folder to write")
    Path out;

    @Option(names = "--recipe", defaultValue = "sample", description = "sample (the shipped llava-shapes) or deep "
            + "(llava-shapes-deep: 16 decoder layers, 6 vision layers, 64-pixel images) (${DEFAULT-VALUE})")
    String recipe;

    @Option(names = "--steps", description = "optimizer steps (default: the recipe's)")
    Integer steps;

    @Option(names = "--eval-out", paramLabel = "DIR", description = "also write the held-out split here (PNG + eval.jsonl)")
    Path evalOut;

    @Option(names = "--eval-size", defaultValue = "600", description = "held-out questions to write (${DEFAULT-VALUE})")
    int evalSize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getOut();
        int resumeAt = SampleTrainer.resumableStep(out);
        if (resumeAt > 0) {
            log.printf("resuming the interrupted run in %s after step %d%n", out, resumeAt);
        }
        TrainConfig config = steps == null ? TrainConfig.recipe(recipe) : TrainConfig.recipe(recipe).withSteps(steps);
        SampleTrainer trainer = new SampleTrainer(out, config, p -> {
            if (p.step() % 20 == 0 || !Double.isNaN(p.validationAccuracy())) {
                StringBuilder types = new StringBuilder();
                p.accuracyByType().forEach((k, v) -> {
                    if (!k.equals("overall")) {
                        types.append(String.format(" %s %.0f%%", k, 100 * v));
                    }
                });
                log.printf("step %5d/%d  loss %.4f  lr %.2e%s%s%s  %.0f s%n", p.step(), p.totalSteps(), p.loss(),
                        p.learningRate(), Double.isNaN(p.validationAccuracy()) ? ""
                                : String.format("  val acc %.1f%% (", 100 * p.validationAccuracy()),
                        types.toString().strip(), Double.isNaN(p.validationAccuracy()) ? "" : ")",
                        p.elapsedSeconds());
                if (p.skipped() > 0 && p.step() % 200 == 0) {
                    log.printf("  %d batch(es) skipped for a non-finite gradient%n", p.skipped());
                }
                log.flush();
            }
        });
        // Ctrl-C asks the loop to stop at the next step, which saves the state; the hook waits for
        // that so the next run resumes exactly there rather than at the last periodic checkpoint.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "save-training-state");
        Runtime.getRuntime().addShutdownHook(hook);
        double accuracy;
        try {
            accuracy = trainer.train(stop::get);
        } catch (CancellationException e) {
            log.println(e.getMessage() + "; run the same command again to resume");
            log.flush();
            return 130;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already exiting because of Ctrl-C; the hook is running and now released.
            }
        }
        log.printf("wrote %s (validation first-token accuracy %.1f%%)%n", out.toAbsolutePath().normalize(), 100 * accuracy);
        if (evalOut != null) {
            Path file = ShapesEvalSet.write(evalOut, trainer.world(), evalSize);
            log.println("wrote " + file.toAbsolutePath().normalize());
        }
        return 0;
    }
}
