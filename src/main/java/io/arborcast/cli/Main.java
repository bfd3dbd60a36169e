package io.arborcast.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code arborcast} command: dispatches to the subcommands. */
@Command(name = "arborcast", mixinStandardHelpOptions = true, version = "arborcast 0.1.0",
        description = "Peer-to-peer live streaming with no central server.",
        subcommands = {DemoCommand.class, PublishCommand.class, PlayCommand.class, NodeCommand.class, ChannelsCommand.class, InfoCommand.class, KeygenCommand.class, SimulateCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "log protocol events at debug level")
    void verbose(boolean on) {
        if (on) {
            ((Logger) LoggerFactory.getLogger("io.arborcast"))
                    .setLevel(Level.DEBUG);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // errors without stack traces: one line saying what went wrong
            cmd.getErr().println("arborcast: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 1;
        });
        // a usage error is a bad argument: exit 1, as the README says (picocli's own default is 2,
        // which here means a bootstrap that does not answer)
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, badArgs) -> {
            usage.handleParseException(ex, badArgs);
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
