// A young person with every field a case worker records, for tests that
// check where each field goes (the Art. 15 report, list lines, exports).
//
//   auto id = cw.create_person(reader, lotse::testing::lena_schulz());
#pragma once

#include <string>

#include "lotse/casework/casework_service.h"

namespace lotse::testing {

inline casework::NewPerson lena_schulz(std::string given = "Lena", std::string family = "Schulz") {
  return {.given_name = std::move(given),
          .family_name = std::move(family),
          .birth_date = "2008-04-12",
          .street = "Breiter Weg 1",
          .postcode = "39104",
          .city = "Magdeburg",
          .phone = "0391 123456",
          .email = "lena@example.org",
          .school = "IGS Regine Hildebrandt",
          .school_qualification = "Realschulabschluss",
          .nationality = "syrisch",
          .residence_status = "Aufenthaltserlaubnis"};
}

}  // namespace lotse::testing
