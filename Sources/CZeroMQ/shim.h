#ifndef MIRSAD_CZEROMQ_SHIM_H
#define MIRSAD_CZEROMQ_SHIM_H
#include <zmq.h>

/* Declared only in the draft part of zmq.h, yet accepted by the stable libzmq 4.3 library:
   makes a CURVE/PLAIN server refuse every handshake when no ZAP handler answers for its domain. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#endif
