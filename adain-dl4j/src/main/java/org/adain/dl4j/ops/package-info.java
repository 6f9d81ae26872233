/**
 * Internal, not API: adaptive instance normalisation and its statistics (mean, unbiased std + 1e-5) on ND4J
 * arrays, including interpolation between styles and spatial control by regions. May change in any release.
 */
package org.adain.dl4j.ops;
