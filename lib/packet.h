/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet.h - decoding captured packets (pure; unit tested). Not written yet. */
#ifndef NSNET_PACKET_H
#define NSNET_PACKET_H
#endif
