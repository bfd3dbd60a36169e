package io.arborcast.net;

import io.arborcast.core.PeerAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** This host's own addresses, as candidates for what peers may see it at. */
final class Interfaces {
    private static final Logger log = LoggerFactory.getLogger(Interfaces.class);

    private Interfaces() {
    }

    static boolean isWildcard(String bindHost) {
        return bindHost.isEmpty() || bindHost.equals("0.0.0.0") || bindHost.equals("::");
    }

    /**
     * The addresses a socket bound to {@code bindHost} listens on: that address itself, or for a
     * wildcard every address of every interface that is up ({@code 0.0.0.0}: IPv4 ones only).
     */
    static List<String> hosts(String bindHost) {
        if (!isWildcard(bindHost)) {
            return List.of(bindHost);
        }
        boolean ipv4Only = bindHost.equals("0.0.0.0");
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (!(ipv4Only && a instanceof Inet6Address)) {
                        String host = a.getHostAddress();
                        int zone = host.indexOf('%');
                        out.add(PeerAddress.canonicalHost(zone < 0 ? host : host.substring(0, zone)));
                    }
                }
            }
        } catch (SocketException e) {
            log.debug("cannot list network interfaces: {}", e.toString());
        }
        return out;
    }
}
