package io.arborcast.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code arborcast info}: new words for a live channel (name, genre, description, URL, comment),
 * sent to the publishing node's {@code /admin/info} with the source password; they reach the
 * listeners with the stream head and the directory at once. Fields not given stay as they are;
 * one given as {@code ""} is cleared.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Change a live channel's name, genre, description, URL or comment at its publishing node.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--node", required = true, paramLabel = "HOST:PORT", description = "the publishing node")
    String node;

    @Option(names = "--mount", paramLabel = "PATH", description = "the channel's mount (default: the node's only one)")
    String mount;

    @Option(names = "--password", required = true, paramLabel = "PW", description = "the mount's source password")
    String password;

    @Option(names = "--name", paramLabel = "NAME", description = "a new name (the directory and every listener show it)")
    String name;

    @Option(names = "--genre", paramLabel = "GENRE")
    String genre;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = "--url", paramLabel = "URL")
    String url;

    @Option(names = "--comment", paramLabel = "TEXT", description = "shown on the listeners' status pages")
    String comment;

    @Override
    public Integer call() throws Exception {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("pass", password);
        q.put("mount", mount);
        q.put("name", name);
        q.put("genre", genre);
        q.put("description", description);
        q.put("url", url);
        q.put("comment", comment);
        String query = q.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        URI uri = URI.create("http://" + node + "/admin/info?" + query);
        HttpResponse<String> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            System.err.println("arborcast: cannot reach " + node + ": " + e.getMessage());
            return RunningNode.EXIT_BOOTSTRAP;
        }
        if (r.statusCode() != 200) {
            System.err.println("arborcast: " + node + " refused: " + r.statusCode() + " " + r.body().strip());
            return 1;
        }
        System.out.print(r.body());
        return 0;
    }
}
