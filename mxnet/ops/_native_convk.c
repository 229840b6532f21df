/* Direct KxK stride-1 convolutions (see _native_convk.py); compiled into the library of _native.c. */
