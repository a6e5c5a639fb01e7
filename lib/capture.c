// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c - not written yet. */
#include "internal.h"
