/**
 * Scenarios: the HOCON scenario files and their settings, session-length and churn models, and
 * the runner that drives a workload second by virtual second and gathers its results.
 */
package io.arborcast.sim.scenario;
