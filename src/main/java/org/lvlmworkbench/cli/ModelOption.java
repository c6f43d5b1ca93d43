package org.lvlmworkbench.cli;

import java.nio.file.Path;
import org.lvlmworkbench.core.sample.SampleModel;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by commands; the sample model when absent. */
final class ModelOption {

    @Option(names = {"-m", "--model"}, paramLabel = "DIR",
            description = "Hugging Face model folder (default: the shipped sample, samples/" + SampleModel.NAME + ")")
    Path model;

    Path folder() {
        return model != null ? model : SampleModel.defaultModel();
    }
}
