"""HRV metrics by family (time domain, spectra, nonlinear, detrending), re-exported by hrv."""
