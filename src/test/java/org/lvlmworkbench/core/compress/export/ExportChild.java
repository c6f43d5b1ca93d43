package org.lvlmworkbench.core.compress.export;

import java.nio.file.Path;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.TinyModels;

/**
 * A separate JVM that exports the sample's low-rank plan slowly (each factorisation waits 400 ms), for
 * {@link ExportKillTest} to kill with SIGKILL while it writes. Arguments: the target folder, and
 * {@code force} to replace an existing one.
 */
public final class ExportChild {

    private ExportChild() {
    }

    public static void main(String[] args) {
        Path out = Path.of(args[0]);
        boolean force = args.length > 1 && args[1].equals("force");
        try (LoadedModel original = TinyModels.load(ModelExporterTest.SAMPLE)) {
            String fp = PlanApplier.shapeOf(original).fingerprint();
            PlanApplier.Factorizer slow = (matrix, weight, rank, merged) -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ExportPlans.PLAIN.factorize(matrix, weight, rank, merged);
            };
            System.out.println("exporting");
            ModelExporter.export(original, slow, ExportPlans.lowRank(fp), out,
                    ExportOptions.DEFAULTS.withDtype(DType.F32).withForce(force), Progress.NONE);
            System.out.println("finished"); // the test kills this process before it gets here
        }
    }
}
