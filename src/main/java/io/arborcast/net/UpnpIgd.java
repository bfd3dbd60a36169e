package io.arborcast.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * UPnP-IGD: finds the router's Internet Gateway Device on the LAN by SSDP (multicast M-SEARCH),
 * reads its description for a WANIPConnection (or WANPPPConnection) service, and forwards the
 * port with SOAP AddPortMapping (DeletePortMapping to remove it). Blocking; answers are read up
 * to {@link #MAX_BODY} bytes and parsed without DTDs.
 */
final class UpnpIgd implements PortMapper.Forwarding {
    private static final Logger log = LoggerFactory.getLogger(UpnpIgd.class);
    private static final InetSocketAddress SSDP = new InetSocketAddress("239.255.255.250", 1900);
    private static final List<String> DEVICES = List.of("urn:schemas-upnp-org:device:InternetGatewayDevice:2",
            "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
    private static final List<String> SERVICES = List.of("urn:schemas-upnp-org:service:WANIPConnection:2",
            "urn:schemas-upnp-org:service:WANIPConnection:1", "urn:schemas-upnp-org:service:WANPPPConnection:1");
    private static final int SEARCH_MILLIS = 2_000;
    private static final int MAX_BODY = 64 * 1024;
    /** UPnPError: the router keeps only permanent mappings (lease 0). */
    private static final int ONLY_PERMANENT_LEASES = 725;

    private final URI control;
    private final String service;
    private final String internalClient;
    private final HttpClient http;

    private UpnpIgd(URI control, String service, String internalClient, HttpClient http) {
        this.control = control;
        this.service = service;
        this.internalClient = internalClient;
        this.http = http;
    }

    /** The first IGD that answers an M-SEARCH within {@link #SEARCH_MILLIS} and has a WAN connection service, or null. */
    static UpnpIgd discover() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> locations = new LinkedHashSet<>();
        try (DatagramSocket s = new DatagramSocket()) {
            for (String device : DEVICES) {
                byte[] search = ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                        + "MX: 2\r\nST: " + device + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(search, search.length, SSDP));
            }
            long end = System.nanoTime() + SEARCH_MILLIS * 1_000_000L;
            byte[] buf = new byte[2048];
            while (System.nanoTime() < end) {
                s.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException done) {
                    break;
                }
                String location = header(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII), "location");
                if (location != null && locations.add(location)) {
                    UpnpIgd igd = describe(http, location);
                    if (igd != null) {
                        return igd;
                    }
                }
            }
        }
        return null;
    }

    /** The value of header {@code name} (any case) in an SSDP answer, or null. */
    static String header(String answer, String name) {
        for (String line : answer.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The IGD described at {@code location}, if it has a WAN connection service (else null, logged). */
    private static UpnpIgd describe(HttpClient http, String location) {
        try {
            URI base = URI.create(location);
            if (!"http".equals(base.getScheme()) || base.getHost() == null) {
                return null;
            }
            Document d = parse(get(http, HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(2)).GET().build()));
            NodeList services = d.getElementsByTagNameNS("*", "service");
            for (String wanted : SERVICES) {
                for (int i = 0; i < services.getLength(); i++) {
                    Element s = (Element) services.item(i);
                    if (wanted.equals(text(s, "serviceType"))) {
                        URI control = base.resolve(text(s, "controlURL"));
                        try (DatagramSocket probe = new DatagramSocket()) { // our address towards the router
                            probe.connect(new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort()));
                            return new UpnpIgd(control, wanted, probe.getLocalAddress().getHostAddress(), http);
                        }
                    }
                }
            }
            log.debug("port mapping: {} has no WAN connection service", location);
        } catch (IOException | IllegalArgumentException e) {
            log.debug("port mapping: cannot read {}: {}", location, e.toString());
        }
        return null;
    }

    @Override
    public String name() {
        return "UPnP-IGD on " + control.getHost();
    }

    @Override
    public int map(int port, int lifetimeSeconds) throws IOException {
        int lease = lifetimeSeconds;
        for (String protocol : List.of("TCP", "UDP")) {
            int error = addMapping(protocol, port, lease);
            if (error == ONLY_PERMANENT_LEASES) {
                lease = 0; // kept until removed: renewing changes nothing, removing on exit still does
                error = addMapping(protocol, port, 0);
            }
            if (error != 0) {
                log.info("port mapping: {} refused {} {} (UPnP error {})", control.getHost(), protocol, port, error);
                return 0;
            }
        }
        return lease == 0 ? lifetimeSeconds : lease;
    }

    private int addMapping(String protocol, int port, int lease) throws IOException {
        return call("AddPortMapping", "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + port
                + "</NewExternalPort><NewProtocol>" + protocol + "</NewProtocol><NewInternalPort>" + port
                + "</NewInternalPort><NewInternalClient>" + internalClient + "</NewInternalClient><NewEnabled>1"
                + "</NewEnabled><NewPortMappingDescription>Arborcast</NewPortMappingDescription><NewLeaseDuration>"
                + lease + "</NewLeaseDuration>").error();
    }

    @Override
    public void unmap(int port) throws IOException {
        for (String protocol : List.of("TCP", "UDP")) {
            call("DeletePortMapping", "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + port
                    + "</NewExternalPort><NewProtocol>" + protocol + "</NewProtocol>");
        }
    }

    @Override
    public String externalAddress() throws IOException {
        Answer a = call("GetExternalIPAddress", "");
        return a.error() != 0 || a.body() == null ? "" : text(a.body().getDocumentElement(), "NewExternalIPAddress");
    }

    /** A SOAP answer: the UPnP error code (0: none) and the parsed body (null if unreadable). */
    private record Answer(int error, Document body) {
    }

    private Answer call(String action, String arguments) throws IOException {
        String envelope = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action + " xmlns:u=\""
                + service + "\">" + arguments + "</u:" + action + "></s:Body></s:Envelope>";
        HttpRequest request = HttpRequest.newBuilder(control).timeout(Duration.ofSeconds(3))
                .header("Content-Type", "text/xml; charset=\"utf-8\"")
                .header("SOAPAction", "\"" + service + "#" + action + "\"")
                .POST(HttpRequest.BodyPublishers.ofString(envelope, StandardCharsets.UTF_8)).build();
        Document body = parse(get(http, request));
        String code = body == null ? null : text(body.getDocumentElement(), "errorCode");
        return new Answer(code == null || code.isEmpty() ? 0 : Integer.parseInt(code.trim()), body);
    }

    /** The body of the answer to {@code request} (any status: SOAP faults come with 500), at most {@link #MAX_BODY} bytes. */
    private static byte[] get(HttpClient http, HttpRequest request) throws IOException {
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                if (body.length > MAX_BODY) {
                    throw new IOException("answer from " + request.uri() + " longer than " + MAX_BODY + " bytes");
                }
                return body;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Document parse(byte[] xml) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("unreadable XML: " + e.getMessage(), e);
        }
    }

    /** The text of the first element named {@code name} (any namespace) below {@code e}, or null. */
    private static String text(Element e, String name) {
        NodeList l = e.getElementsByTagNameNS("*", name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }
}
