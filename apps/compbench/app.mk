# compbench: what a call between compartments, a grant and a revoke cost (make bench APP=compbench).
APP_LIBS := compart
APP_POLICY := split
