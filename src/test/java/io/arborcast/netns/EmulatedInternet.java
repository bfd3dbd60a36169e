package io.arborcast.netns;

import io.arborcast.crypto.ChannelKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * Hosts made of Linux network namespaces on one bridge (the "internet core", an L2 switch
 * that routes nothing), each with its own addresses, running real processes. Every namespace
 * is named {@code arbc-<pid>-...} and removed on {@link #close}, also after a failure, and any
 * left over from an earlier run of this process id, or of a process that is gone, first. Needs
 * root and iproute2.
 */
final class EmulatedInternet implements AutoCloseable {
    /** What every namespace of this project's tests is named with first. */
    private static final String PROJECT = "arbc-";
    private final String prefix = PROJECT + ProcessHandle.current().pid() + "-";
    private final String core = prefix + "core";
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Path dir;

    /** Why NAT routers cannot be made here (no iptables), or null if they can. */
    static String noNat() {
        try {
            Process p = new ProcessBuilder("iptables", "--version").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "'iptables --version' failed";
        } catch (IOException | InterruptedException e) {
            return "no 'iptables' command (Debian package iptables): " + e.getMessage();
        }
    }

    /** Why namespaces cannot be made here (not root, no iproute2), or null if they can. */
    static String unavailable() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "'ip netns' failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        } catch (IOException | InterruptedException e) {
            return "no 'ip' command (Debian package iproute2): " + e.getMessage();
        }
        return ProcessHandle.current().info().user().map(u -> u.equals("root") ? null : "not root (user " + u + ")")
                .orElse(null);
    }

    EmulatedInternet(Path dir) throws IOException {
        this.dir = dir;
        removeLeftovers();
        ip("netns", "add", core);
        namespaces.add(core);
        ip("-n", core, "link", "add", "br0", "type", "bridge");
        ip("-n", core, "link", "set", "br0", "up");
    }

    /** A host on the core with these addresses (CIDR, e.g. {@code 198.18.1.2/15}, {@code 2001:db8:1::2/32}). */
    Host host(String name, String... cidrs) throws IOException {
        String ns = prefix + name;
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
        ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", name, "netns", core);
        ip("-n", core, "link", "set", name, "master", "br0", "up");
        for (String cidr : cidrs) {
            if (cidr.contains(":")) {
                ip("-n", ns, "addr", "add", cidr, "dev", "eth0", "nodad"); // usable at once, no DAD wait
            } else {
                ip("-n", ns, "addr", "add", cidr, "dev", "eth0");
            }
        }
        ip("-n", ns, "link", "set", "eth0", "up");
        return new Host(name, ns);
    }

    /**
     * A home router on the core: {@code publicCidr} on its internet side, {@code lanCidr} (its own
     * address on the LAN, e.g. {@code 10.50.0.1/24}) on a LAN bridge, forwarding between them
     * with source NAT (masquerade; nothing forwarded inward, so only what answers a connection or
     * datagram from inside gets in) and, as home routers do, dropping what comes in unasked
     * rather than answering it with a reset (a hole punch needs that). With an {@link Igd}, it
     * also runs miniupnpd on nftables chains of its own, so hosts inside can ask for port
     * forwards; without, plain iptables MASQUERADE. Needs iptables, and nft and miniupnpd for an IGD.
     */
    Router router(String name, String publicCidr, String lanCidr, Igd igd) throws IOException {
        Host wan = host(name, publicCidr);
        ip("-n", wan.ns, "link", "add", "lan0", "type", "bridge");
        ip("-n", wan.ns, "addr", "add", lanCidr, "dev", "lan0");
        ip("-n", wan.ns, "link", "set", "lan0", "up");
        exec(wan.ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        if (igd == Igd.NONE) {
            exec(wan.ns, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE");
            exec(wan.ns, "iptables", "-A", "INPUT", "-i", "eth0", "-m", "conntrack", "--ctstate", "NEW,INVALID",
                    "-j", "DROP");
            return new Router(wan, lanCidr.replaceAll("/.*", ""));
        }
        // the chains miniupnpd (nftables backend, its default names) adds its rules to
        Path rules = dir.resolve(name + "-nat.nft");
        Files.writeString(rules, """
                table inet filter {
                  chain input { type filter hook input priority 0; policy accept; iifname "eth0" ct state new,invalid drop; }
                  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
                  chain miniupnpd { }
                  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
                  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; oifname "eth0" masquerade; }
                  chain prerouting_miniupnpd { }
                  chain postrouting_miniupnpd { }
                }
                """);
        exec(wan.ns, "nft", "-f", rules.toString());
        Path conf = dir.resolve(name + "-miniupnpd.conf");
        // miniupnpd maps nothing on a reserved outside address (198.18/15 is one): it is told a
        // made-up public one to report, while its rules match the interface, not that address
        Files.writeString(conf, String.join("\n", "ext_ifname=eth0", "ext_ip=11.0.0." + namespaces.size(),
                "listening_ip=lan0", "enable_natpmp=" + (igd == Igd.NATPMP_AND_UPNP ? "yes" : "no"), "enable_upnp=yes",
                "secure_mode=yes",
                "lease_file=" + dir.resolve(name + "-upnp.leases").toAbsolutePath(),
                "allow 1024-65535 " + lanCidr.replaceAll("\\.\\d+/", ".0/") + " 1024-65535",
                "deny 0-65535 0.0.0.0/0 0-65535", ""));
        wan.start("miniupnpd", "miniupnpd", "-d", "-f", conf.toAbsolutePath().toString(), "-P", dir.resolve(name + "-miniupnpd.pid").toAbsolutePath().toString());
        return new Router(wan, lanCidr.replaceAll("/.*", ""));
    }

    /** What a router's miniupnpd offers its LAN: nothing (no miniupnpd), NAT-PMP/PCP and UPnP-IGD, or UPnP-IGD only. */
    enum Igd {
        NONE, NATPMP_AND_UPNP, UPNP_ONLY
    }

    /** Why an IGD router cannot be made here (no nft or miniupnpd), or null if it can. */
    static String noIgd() {
        for (String tool : List.of("nft", "miniupnpd")) {
            try {
                Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return "no '" + tool + "' command (Debian package " + (tool.equals("nft") ? "nftables" : tool) + ")";
                }
            } catch (IOException | InterruptedException e) {
                return "cannot look for " + tool + ": " + e.getMessage();
            }
        }
        return null;
    }

    /** A router made by {@link #router}: hosts go on its LAN. */
    final class Router {
        final Host wan;
        private final String gateway;

        private Router(Host wan, String gateway) {
            this.wan = wan;
            this.gateway = gateway;
        }

        /**
         * Makes this router answer what comes in unasked with a reset (TCP) or port-unreachable
         * (UDP), as a router with no firewall does, instead of dropping it. Plain routers only.
         */
        void answerUnaskedWithReset() throws IOException {
            exec(wan.ns, "iptables", "-D", "INPUT", "-i", "eth0", "-m", "conntrack", "--ctstate", "NEW,INVALID",
                    "-j", "DROP");
        }

        /** A host on this router's LAN at {@code cidr}, its default route through the router. */
        Host host(String name, String cidr) throws IOException {
            String ns = prefix + name;
            ip("netns", "add", ns);
            namespaces.add(ns);
            ip("-n", ns, "link", "set", "lo", "up");
            ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", name, "netns", wan.ns);
            ip("-n", wan.ns, "link", "set", name, "master", "lan0", "up");
            ip("-n", ns, "addr", "add", cidr, "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            ip("-n", ns, "route", "add", "default", "via", gateway);
            return new Host(name, ns);
        }
    }

    /** Runs {@code cmd} in namespace {@code ns}; fails unless it exits 0. */
    private static void exec(String ns, String... cmd) throws IOException {
        List<String> args = new ArrayList<>(List.of("netns", "exec", ns));
        args.addAll(Arrays.asList(cmd));
        run(true, args.toArray(String[]::new));
    }

    /** One emulated host. */
    final class Host {
        final String name;
        private final String ns;
        private final List<Process> started = new ArrayList<>();

        private Host(String name, String ns) {
            this.name = name;
            this.ns = ns;
        }

        /**
         * Starts {@code cmd} in this host; stdout and stderr go to {@code <dir>/<name>-<label>.log}.
         * Each host has a data directory of its own ({@code <dir>/<name>-data}), as a machine does.
         */
        Process start(String label, String... cmd) throws IOException {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            full.addAll(Arrays.asList(cmd));
            Path log = log(label);
            ProcessBuilder b = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
            b.environment().put("XDG_DATA_HOME", log.resolveSibling(name + "-data").toAbsolutePath().toString());
            Process p = b.start();
            processes.add(p);
            started.add(p);
            return p;
        }

        /** Runs {@code cmd} here to its end (at most {@code timeout}) and returns what it printed. */
        String run(Duration timeout, String... cmd) throws IOException, InterruptedException {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            full.addAll(Arrays.asList(cmd));
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            processes.add(p);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not end within " + timeout);
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        /** The first group of {@code pattern} in this host's log {@code label}, once it is there (within {@code within}). */
        String awaitLog(String label, Pattern pattern, Duration within) {
            String[] found = new String[1];
            await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
                Matcher m = pattern.matcher(read(log(label)));
                if (m.find()) {
                    found[0] = m.group(1);
                }
                return found[0] != null;
            });
            return found[0];
        }

        /** What {@code curl} here gets from {@code url} (empty on a failure). */
        String get(String url) throws IOException, InterruptedException {
            return run(Duration.ofSeconds(10), "curl", "-s", "-m", "5", url);
        }

        /** This host's node's {@code /api/status}, asked at {@code endpoint} ({@code host:port}). */
        String status(String endpoint) throws IOException, InterruptedException {
            return get("http://" + endpoint + "/api/status");
        }

        /** The first process started in this host: the process itself, as {@code ip netns exec} execs it. */
        Process firstProcess() {
            return started.get(0);
        }

        Path log(String label) {
            return dir.resolve(name + "-" + label + ".log");
        }
    }

    /**
     * Removes namespaces an earlier run left: of this process id, or of a process that is gone
     * (a test JVM killed with SIGKILL cannot clean up after itself).
     */
    private void removeLeftovers() throws IOException {
        for (String line : run(false, "netns", "list").split("\n")) {
            String ns = line.split(" ")[0];
            if (ns.startsWith(prefix) || ns.startsWith(PROJECT) && ownerGone(ns)) {
                ip("netns", "del", ns);
            }
        }
    }

    /** True if {@code ns} is named {@code arbc-<pid>-...} for a process id that runs no more. */
    private static boolean ownerGone(String ns) {
        String[] parts = ns.split("-");
        try {
            return parts.length > 2 && ProcessHandle.of(Long.parseLong(parts[1])).filter(ProcessHandle::isAlive).isEmpty();
        } catch (NumberFormatException e) {
            return false; // not one of ours
        }
    }

    private static void ip(String... args) throws IOException {
        run(true, args);
    }

    /** Runs {@code ip args}; what it printed; with {@code check}, fails unless it exited 0. */
    private static String run(boolean check, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            boolean ended = p.waitFor(10, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (check && (!ended || p.exitValue() != 0)) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Kills every process started here, then removes every namespace made here. */
    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IOException first = null;
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                ip("netns", "del", namespaces.get(i));
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The command line of an Arborcast process ({@code -v}: its log at debug level) with this JVM and classpath. */
    static String[] arborcast(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.arborcast.cli.Main", "-v"));
        cmd.addAll(Arrays.asList(args));
        return cmd.toArray(String[]::new);
    }

    /**
     * The command line of a publisher of {@code key} (saved in {@code dir}) named {@code name},
     * joining through {@code bootstrap}, source password {@code pw}, with one source slot: the
     * first listener takes it, the rest go below.
     */
    static String[] publisherWithOneSlot(Path dir, ChannelKey key, String name, String bootstrap) throws IOException {
        Path keyFile = dir.resolve("channel.pem");
        key.save(keyFile);
        Path conf = dir.resolve("publisher.conf");
        Files.writeString(conf, "arborcast { tree { source-slots = 1 } }\n");
        return arborcast("publish", "--key", keyFile.toString(), "--name", name, "--bootstrap", bootstrap,
                "--password", "pw", "--config", conf.toString());
    }

    /** The first whole-number value of {@code field} in a JSON text (a status); fails if there is none. */
    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** Makes {@code dir} anew, empty (the logs of an earlier run go). */
    static void clean(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
    }

    /** The whole text of a file (a log), or empty if it is not there. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
