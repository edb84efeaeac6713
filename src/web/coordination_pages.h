// Internal to the web layer: the coordinators' catalogue pages
// (coordination_pages.cc) under /koordination:
//
//   /koordination                      start: links to the pages below
//   /koordination/uebersicht           needs × phases matrix with gaps, filterable
//   /koordination/angebote[/neu|/{id}] list, create, edit, delete offers
//   /koordination/kontaktstellen[/neu|/{id}] contact points with opening hours
//   /koordination/traeger[/neu|/{id}]  providers (Träger): list, create, edit
//
// Coordinators change their own alliance's catalogue; the state office
// views every alliance read-only (?buendnis=AGS); case workers view their
// alliance's catalogue read-only (for the Förderkette); everyone else 403.
#pragma once

#include "lotse/web/web_context.h"  // declares register_coordination_pages
