package org.adain.examples.cli;

import java.util.concurrent.Callable;
import org.adain.StyleTransfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code adain env}: what this JVM sees (Java, CPU, memory, backends, weight readers), for bug reports. */
@Command(name = "env", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        description = "Print the environment: Java, OS, memory, the backends and weight-file formats found, "
                + "and which backend would run. Paste it into bug reports.")
final class EnvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("adain " + AdainCli.Version.version());
        spec.commandLine().getOut().print(StyleTransfer.debugEnvironment());
        spec.commandLine().getOut().flush();
        return AdainCli.EXIT_OK;
    }
}
