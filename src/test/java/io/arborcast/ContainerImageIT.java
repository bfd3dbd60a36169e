package io.arborcast;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container image ({@code config/container}), built from the packaged jar (so this runs
 * after {@code package}, as an integration test) and run with podman on a network of its own: a
 * host-side {@code channels} reaches the node in it, and the node keeps its id across a restart
 * (its key in the /data volume). Container, network, volume and image are removed afterwards.
 */
class ContainerImageIT {
    private static final String NAME = "arborcast-it";
    /**
     * What podman needs on this kind of machine: crun refuses its cgroup hybrid mode and podman's
     * default file and process limits are above the hard limits a session gets.
     */
    private static final List<String> PODMAN = List.of("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs");
    private static final Pattern LISTENING = Pattern.compile("node ([0-9a-f]{40}) listening on");

    @Test
    void aHostSideChannelsReachesTheNodeInTheContainerWhichKeepsItsIdAcrossARestart() throws Exception {
        ExternalTools.require("podman", "podman");
        ExternalTools.require("runc", "runc");
        String image = NAME + ":" + ProcessHandle.current().pid();
        try {
            assertThat(run(Duration.ofMinutes(3), "config/container/build.sh", image)).contains("built " + image);
            podman("network", "create", NAME);
            podman("run", "-d", "--name", NAME, "--network", NAME, "-v", NAME + ":/data", "--ulimit", "nofile=4096:4096",
                    "--ulimit", "nproc=4096:4096", image, "node");
            String id = idLogged(1);
            assertThat(podman("logs", NAME)).contains("identity: kept in /data/arborcast/node-7144.key");
            String ip = podman("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + NAME + "\").IPAddress}}", NAME).strip();

            String unknown = "1".repeat(40);
            Process channels = new ProcessBuilder("./arborcast", "channels", "--bootstrap", ip + ":7144", unknown)
                    .redirectErrorStream(true).start();
            assertThat(channels.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String said = new String(channels.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(channels.exitValue()).as(said).isEqualTo(3); // the DHT answered: 2 would be a dead bootstrap
            assertThat(said).contains("channel " + unknown + " not found", "(1 nodes asked)");

            podman("restart", NAME);
            assertThat(idLogged(2)).as("the same node after a restart").isEqualTo(id);
        } finally {
            quietly("rm", "-f", NAME);
            quietly("network", "rm", NAME);
            quietly("volume", "rm", NAME);
            quietly("rmi", image);
        }
    }

    /** The node id the container's {@code n}th start logged, once it has. */
    private String idLogged(int n) {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Matcher m = LISTENING.matcher(podman("logs", NAME));
            for (int i = 0; i < n; i++) {
                if (!m.find()) {
                    return false;
                }
            }
            id[0] = m.group(1);
            return true;
        });
        return id[0];
    }

    private static String podman(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(PODMAN);
        cmd.addAll(Arrays.asList(args));
        return run(Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    private static void quietly(String... args) {
        try {
            podman(args);
        } catch (IOException | InterruptedException | IllegalStateException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    /** Runs {@code cmd} to its end; its output, or an exception saying what failed. */
    private static String run(Duration timeout, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not end within " + timeout);
        }
        String said = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + said);
        }
        return said;
    }
}
