/**
 * The abbreviations AP and CP style write after a dateline city ("PALM BEACH, Fla.", "RED DEER, Alta."), and
 * the short forms of a few countries ("St. Vincent", "U.K."), as data.
 */

/** A region (or country) and the ways a dateline abbreviates it. */
export interface RegionAbbreviation {
  region: string;
  country: string;
  abbreviations: string[];
}

const US = 'United States';
const CA = 'Canada';

// USPS codes, which some sites write in place of AP's abbreviations ("CAPE CANAVERAL, FL").
const USPS: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut',
  DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois',
  IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland',
  MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana',
  NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York',
  NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania',
  RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah',
  VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};

/** US states (AP style and USPS codes), Canadian provinces (CP style) and common country short forms. */
export const REGION_ABBREVIATIONS: readonly RegionAbbreviation[] = [
  ...Object.entries(USPS).map(([code, region]) => ({ region, country: US, abbreviations: [code] })),
  { region: 'Alabama', country: US, abbreviations: ['Ala.'] },
  { region: 'Arizona', country: US, abbreviations: ['Ariz.'] },
  { region: 'Arkansas', country: US, abbreviations: ['Ark.'] },
  { region: 'California', country: US, abbreviations: ['Calif.', 'Cal.'] },
  { region: 'Colorado', country: US, abbreviations: ['Colo.'] },
  { region: 'Connecticut', country: US, abbreviations: ['Conn.'] },
  { region: 'Delaware', country: US, abbreviations: ['Del.'] },
  { region: 'District of Columbia', country: US, abbreviations: ['D.C.'] },
  { region: 'Florida', country: US, abbreviations: ['Fla.', 'Fl.'] },
  { region: 'Georgia', country: US, abbreviations: ['Ga.'] },
  { region: 'Illinois', country: US, abbreviations: ['Ill.'] },
  { region: 'Indiana', country: US, abbreviations: ['Ind.'] },
  { region: 'Kansas', country: US, abbreviations: ['Kan.', 'Kans.'] },
  { region: 'Kentucky', country: US, abbreviations: ['Ky.'] },
  { region: 'Louisiana', country: US, abbreviations: ['La.'] },
  { region: 'Maryland', country: US, abbreviations: ['Md.'] },
  { region: 'Massachusetts', country: US, abbreviations: ['Mass.'] },
  { region: 'Michigan', country: US, abbreviations: ['Mich.'] },
  { region: 'Minnesota', country: US, abbreviations: ['Minn.'] },
  { region: 'Mississippi', country: US, abbreviations: ['Miss.'] },
  { region: 'Missouri', country: US, abbreviations: ['Mo.'] },
  { region: 'Montana', country: US, abbreviations: ['Mont.'] },
  { region: 'Nebraska', country: US, abbreviations: ['Neb.', 'Nebr.'] },
  { region: 'Nevada', country: US, abbreviations: ['Nev.'] },
  { region: 'New Hampshire', country: US, abbreviations: ['N.H.'] },
  { region: 'New Jersey', country: US, abbreviations: ['N.J.'] },
  { region: 'New Mexico', country: US, abbreviations: ['N.M.'] },
  { region: 'New York', country: US, abbreviations: ['N.Y.'] },
  { region: 'North Carolina', country: US, abbreviations: ['N.C.'] },
  { region: 'North Dakota', country: US, abbreviations: ['N.D.'] },
  { region: 'Oklahoma', country: US, abbreviations: ['Okla.'] },
  { region: 'Oregon', country: US, abbreviations: ['Ore.', 'Oreg.'] },
  { region: 'Pennsylvania', country: US, abbreviations: ['Pa.'] },
  { region: 'Rhode Island', country: US, abbreviations: ['R.I.'] },
  { region: 'South Carolina', country: US, abbreviations: ['S.C.'] },
  { region: 'South Dakota', country: US, abbreviations: ['S.D.'] },
  { region: 'Tennessee', country: US, abbreviations: ['Tenn.'] },
  { region: 'Texas', country: US, abbreviations: ['Tex.'] },
  { region: 'Vermont', country: US, abbreviations: ['Vt.'] },
  { region: 'Virginia', country: US, abbreviations: ['Va.'] },
  { region: 'Washington', country: US, abbreviations: ['Wash.'] },
  { region: 'West Virginia', country: US, abbreviations: ['W.Va.', 'W. Va.'] },
  { region: 'Wisconsin', country: US, abbreviations: ['Wis.', 'Wisc.'] },
  { region: 'Wyoming', country: US, abbreviations: ['Wyo.'] },
  { region: 'Alberta', country: CA, abbreviations: ['Alta.', 'Alta', 'AB'] },
  { region: 'British Columbia', country: CA, abbreviations: ['B.C.', 'BC'] },
  { region: 'Manitoba', country: CA, abbreviations: ['Man.', 'MB'] },
  { region: 'New Brunswick', country: CA, abbreviations: ['N.B.', 'NB'] },
  { region: 'Newfoundland and Labrador', country: CA, abbreviations: ['N.L.', 'Nfld.', 'NL', 'Newfoundland'] },
  { region: 'Nova Scotia', country: CA, abbreviations: ['N.S.', 'NS'] },
  { region: 'Ontario', country: CA, abbreviations: ['Ont.', 'ON'] },
  { region: 'Prince Edward Island', country: CA, abbreviations: ['P.E.I.', 'PEI'] },
  { region: 'Quebec', country: CA, abbreviations: ['Que.', 'Qué.', 'QC'] },
  { region: 'Saskatchewan', country: CA, abbreviations: ['Sask.', 'SK'] },
  { region: 'Northwest Territories', country: CA, abbreviations: ['N.W.T.', 'NWT'] },
  { region: 'Nunavut', country: CA, abbreviations: ['Nvt.'] },
  { region: 'Yukon', country: CA, abbreviations: ['Y.T.', 'Yukon Territory'] },
  { region: '', country: 'Saint Vincent and the Grenadines', abbreviations: ['St. Vincent', 'Saint Vincent'] },
  { region: '', country: 'United Kingdom', abbreviations: ['U.K.', 'UK', 'Britain', 'Great Britain'] },
  { region: '', country: US, abbreviations: ['U.S.', 'USA', 'U.S.A.', 'United States of America'] },
  { region: '', country: 'United Arab Emirates', abbreviations: ['UAE', 'U.A.E.'] },
];
