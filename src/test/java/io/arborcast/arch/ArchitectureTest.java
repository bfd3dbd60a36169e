package io.arborcast.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** DESIGN.md's rules, checked on the compiled classes rather than hoped for. */
class ArchitectureTest {
    private static final String[] PROTOCOL = {
        "io.arborcast.core..", "io.arborcast.crypto..", "io.arborcast.wire..", "io.arborcast.dht..",
        "io.arborcast.gossip..", "io.arborcast.tree..", "io.arborcast.stream..", "io.arborcast.channel.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.arborcast");
    }

    @Test
    void protocolPackagesDoNotUseNetty() {
        check(noClasses().that().resideInAnyPackage(PROTOCOL)
                .should().dependOnClassesThat().resideInAnyPackage("io.netty.."));
    }

    @Test
    void protocolPackagesDoNotStartThreadsOrUseExecutors() {
        check(noClasses().that().resideInAnyPackage(PROTOCOL)
                .should().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.Executor.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.Timer.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.CompletableFuture.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.ThreadLocalRandom.class));
    }

    @Test
    void protocolPackagesDoNotSleepOrReadTheWallClock() {
        check(noClasses().that().resideInAnyPackage(PROTOCOL)
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(java.util.UUID.class, "randomUUID")
                .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.time.LocalDateTime.class));
    }

    @Test
    void simulatorNeverUsesTheRealNetworkOrGateway() {
        check(noClasses().that().resideInAPackage("io.arborcast.sim..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.arborcast.net..", "io.arborcast.gateway..", "io.netty.."));
    }

    @Test
    void dependenciesPointOneWay() {
        check(noClasses().that().resideInAnyPackage("io.arborcast.core..", "io.arborcast.crypto..",
                        "io.arborcast.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("io.arborcast.dht..", "io.arborcast.gossip..",
                        "io.arborcast.tree..", "io.arborcast.stream..", "io.arborcast.channel..", "io.arborcast.net..",
                        "io.arborcast.gateway..", "io.arborcast.node..", "io.arborcast.cli.."));
        check(noClasses().that().resideInAnyPackage("io.arborcast.dht..", "io.arborcast.gossip..",
                        "io.arborcast.tree..", "io.arborcast.stream..", "io.arborcast.channel..")
                .should().dependOnClassesThat().resideInAnyPackage("io.arborcast.net..",
                        "io.arborcast.gateway..", "io.arborcast.node..", "io.arborcast.cli..", "io.arborcast.sim.."));
    }

    @Test
    void theTreeAndGossipKnowNothingOfEachOtherOnlyAChannelComposesThem() {
        check(noClasses().that().resideInAPackage("io.arborcast.tree..")
                .should().dependOnClassesThat().resideInAnyPackage("io.arborcast.gossip..", "io.arborcast.channel.."));
        check(noClasses().that().resideInAPackage("io.arborcast.gossip..")
                .should().dependOnClassesThat().resideInAnyPackage("io.arborcast.tree..", "io.arborcast.channel.."));
    }

    private static void check(ArchRule rule) {
        rule.allowEmptyShould(true).check(classes);
    }
}
