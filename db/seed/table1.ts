/** The seed paper's exosome sources: the choices of the demo's "Exosome source" characteristic. */
export const exosomeSourceOptions = [
  { value: "bone_marrow", label: "Bone marrow" },
  { value: "adipose", label: "Adipose" },
  { value: "umbilical_cord", label: "Umbilical cord" },
  { value: "placenta", label: "Placenta" },
  { value: "other", label: "Other" },
] as const;
export type ExosomeSource = (typeof exosomeSourceOptions)[number]["value"];

/**
 * Table 1 of Mou C, Xia Z, Wang X, et al. Stem cell-derived exosome treatment for acute spinal cord injury:
 * a systematic review and meta-analysis based on preclinical evidence. Front Neurol. 2025;16:1447414.
 * doi:10.3389/fneur.2025.1447414. Every field as printed; the DOI comes from the paper's reference list.
 */
export type Table1Row = {
  position: number;
  author: string;
  year: number;
  exosomeSource: ExosomeSource;
  exosomeSourceDetail: string;
  administrationRoute: string;
  injuredSite: string;
  modelingMethod: string;
  possibleMechanism: string;
  reference: string;
  doi: string;
};

const row = (
  position: number,
  author: string,
  year: number,
  exosomeSourceDetail: string,
  injuredSite: string,
  possibleMechanism: string,
  doi: string,
): Table1Row => ({
  position,
  author,
  year,
  exosomeSource: classifySource(exosomeSourceDetail),
  exosomeSourceDetail,
  administrationRoute: "Tail vein injection",
  injuredSite,
  modelingMethod: "Contusion",
  possibleMechanism,
  reference: `(${position + 23})`,
  doi,
});

function classifySource(printed: string): ExosomeSource {
  const text = printed.toLowerCase();
  if (text.includes("bone marrow")) return "bone_marrow";
  if (text.includes("adipose")) return "adipose";
  if (text.includes("umbilical")) return "umbilical_cord";
  if (text.includes("placental")) return "placenta";
  return "other";
}

export const table1: Table1Row[] = [
  row(1, "Afsartala et al.", 2023, "Adipose tissue mesenchymal stem cell", "T9–10", "N/A", "10.30498/ijb.2023.362229.3505"),
  row(2, "Chang et al.", 2021, "Bone marrow mesenchymal stem cell", "T10", "M2 macrophage polarization in spinal cord injury by downregulating IRF5", "10.1016/j.brainresbull.2021.02.015"),
  row(3, "Chen et al.", 2021, "Bone marrow mesenchymal stem cell", "T10", "Promoting axonal regeneration via the PTEN/AKT/mTOR pathway", "10.1186/s13287-021-02282-0"),
  row(4, "Cheshmi et al.", 2023, "Human placental mesenchymal stem cell", "T9", "N/A", "10.1007/s12640-023-00649-0"),
  row(5, "Huang et al.", 2019, "Bone marrow mesenchymal stem cell", "T10", "Silencing CTGF gene", "10.1186/s13287-021-02401-x"),
  row(6, "Huang et al.", 2021, "Bone marrow mesenchymal stem cell", "T10", "Promoting neurofilament regeneration", "10.1155/2021/1634917"),
  row(7, "Jiang et al.", 2021, "Bone marrow mesenchymal stem cell", "T10", "Reducing inflammation in spinal cord injury by regulating the TLR4/NK-κB signaling pathway", "10.1080/15384101.2021.1919825"),
  row(8, "Kang et al.", 2022, "Human umbilical cord mesenchymal stem cell", "T10", "N/A", "10.1007/s11064-022-03545-9"),
  row(9, "Liu et al.", 2022, "Bone marrow mesenchymal stem cell", "T9–10", "N/A", "10.1007/s12031-021-01914-7"),
  row(10, "Liu et al.", 2020, "Bone marrow mesenchymal stem cell", "T10", "Shifting microglial M1/M2 polarization", "10.1186/s12974-020-1726-7"),
  row(11, "Mu et al.", 2021, "Human umbilical cord mesenchymal stem cell", "T9–10", "N/A", "10.1016/j.ajps.2021.10.002"),
  row(12, "Nakazaki et al.", 2021, "Bone marrow mesenchymal stem cell", "T9", "Promoting TGF-β upregulation, microvascular stabilization", "10.1002/jev.2.12137"),
  row(13, "Romanelli et al.", 2019, "Human umbilical cord mesenchymal stem cell", "T8", "N/A", "10.3389/fneur.2019.01225"),
  row(14, "Shao et al.", 2023, "Bone marrow mesenchymal stem cell", "T10", "N/A", "10.1620/tjem.2022.J118"),
  row(15, "Sung et al.", 2022, "Human adipose tissue mesenchymal stem cell", "T9", "N/A", "10.3390/biomedicine10030678"),
  row(16, "Wang et al.", 2021, "Human umbilical mesenchymal stem cell", "T9", "Upregulation of NGF/TrkA signaling pathway", "10.1186/s13287-021-02148-5"),
  row(17, "Wang et al.", 2018, "Bone marrow mesenchymal stem cell", "T10", "Downregulation of phosphorylated NFκB P65 subunit", "10.1159/000494652"),
  row(18, "Xue et al.", 2023, "Human umbilical cord mesenchymal stem cell", "T10", "Down-regulation of Endothelin-1", "10.7717/peerj.16311"),
  row(19, "Zhang et al.", 2021, "Bone marrow mesenchymal stem cell", "T10", "N/A", "10.1007/s10735-020-09950-0"),
  row(20, "Zhou et al.", 2022, "Bone marrow mesenchymal stem cell", "T10", "Inhibiting pericyte pyroptosis", "10.4103/1673-5374.314323"),
  row(21, "Zhou et al.", 2021, "Human placental mesenchymal stem cell", "T11", "Activating endogenous neurogenesis", "10.1186/s13287-021-02248-2"),
];
