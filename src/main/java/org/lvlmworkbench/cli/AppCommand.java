package org.lvlmworkbench.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lvlmworkbench.app.Launcher;
import org.lvlmworkbench.core.sample.SampleModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "app", description = "Open the desktop workbench (on the deeper sample, samples/" + SampleModel.DEEP_NAME
        + ", unless --model is given).")
final class AppCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = {"-d", "--examples"}, paramLabel = "FILE", description = "example questions (JSONL) to list")
    Path examples;

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>();
        args.add((model.model != null ? model.model : SampleModel.appModel()).toString());
        if (examples != null) {
            args.add(examples.toString());
        }
        Launcher.main(args.toArray(String[]::new));
        return 0;
    }
}
