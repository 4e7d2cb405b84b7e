"""Builds the held-out alignment set: six comparable news stories, 3-4 languages each.

Written by hand for evaluation, before the aligner was run on them and before any
rule was changed for them. Each paragraph carries the ids of the events it reports
(its gold tags); two paragraphs of one story in different languages are gold
counterparts when they share a tag. Paragraphs tagged ``()`` have no counterpart
(background that only one outlet gives). Run ``python tests/data/align_heldout/build.py``
to write ``<story>/<lang>.txt`` and ``<story>/gold.json`` (format: ``reader.align.gold``).
The stories and names are invented; they are not shaped to any rule of the aligner.
"""
from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent

P = tuple[tuple[str, ...], str]

STORIES: dict[str, dict[str, list[P]]] = {
    # --- 1. a court ruling, led by statements ---------------------------------
    "riders_ruling": {
        "en": [
            (("head",), "Amsterdam court rules Fleetly riders are employees, not freelancers"),
            (("head", "ruling"), "A Dutch appeals court ruled on Tuesday that the roughly 4,000 couriers who deliver meals for Fleetly in the Netherlands are employees and must be paid under the collective agreement for the transport sector."),
            (("union",), "“The judges looked at how the work is actually organised, not at what the contract says,” said Ilse de Ruiter, who led the case for the FNV union. “Riders cannot set their prices and they cannot refuse orders without being punished by the app.”"),
            (("appeal",), "Fleetly said it was disappointed and would take the case to the Supreme Court. “This decision ignores what riders tell us they want: flexibility,” a spokeswoman said in a statement."),
            (("backpay",), "The company must also pay back wages going back to 2021, which the union estimates at about €18 million. The court gave it three months to comply."),
            ((), "Similar cases are pending in Belgium and Germany, and the European Parliament adopted a platform work directive last year that presumes employment when an app controls pay and working hours."),
            (("company",), "Fleetly, founded in Rotterdam in 2016, reported revenue of €410 million last year and has never turned an annual profit."),
        ],
        "fr": [
            (("head",), "Pays-Bas : la justice requalifie les livreurs de Fleetly en salariés"),
            (("head", "ruling"), "La cour d'appel d'Amsterdam a jugé mardi que les quelque 4 000 coursiers de la plateforme de livraison de repas Fleetly sont des salariés et doivent relever de la convention collective du transport."),
            (("appeal",), "Fleetly a annoncé qu'elle se pourvoirait en cassation. La décision « ignore ce que les livreurs nous disent vouloir : de la flexibilité », a réagi une porte-parole."),
            (("union",), "Pour Ilse de Ruiter, du syndicat FNV, les juges ont regardé « comment le travail est réellement organisé, et non ce que dit le contrat »."),
            (("backpay",), "L'entreprise devra verser des arriérés de salaire depuis 2021, que le syndicat évalue à environ 18 millions d'euros, dans un délai de trois mois."),
            ((), "En France, la Cour de cassation avait déjà requalifié en 2020 le contrat d'un chauffeur Uber en contrat de travail."),
        ],
        "es": [
            (("head",), "Un tribunal neerlandés declara asalariados a los repartidores de Fleetly"),
            (("ruling",), "El tribunal de apelación de Ámsterdam dictaminó el martes que unos 4.000 repartidores de la plataforma Fleetly son trabajadores por cuenta ajena y no autónomos."),
            (("backpay",), "La empresa tendrá que abonar los salarios atrasados desde 2021, unos 18 millones de euros según el sindicato FNV, en un plazo de tres meses."),
            (("union",), "«Los jueces han mirado cómo se organiza realmente el trabajo, no lo que dice el contrato», declaró Ilse de Ruiter, abogada del sindicato."),
            (("appeal",), "Fleetly anunció que recurrirá ante el Tribunal Supremo y afirmó que la sentencia «ignora lo que los repartidores dicen querer: flexibilidad»."),
            ((), "En España, la llamada ley rider obliga desde 2021 a contratar a los repartidores como asalariados."),
            (("company",), "Fundada en Róterdam en 2016, Fleetly facturó 410 millones de euros el año pasado."),
        ],
        "ar": [
            (("head",), "محكمة هولندية تعتبر عمال التوصيل في «فليتلي» موظفين"),
            (("head", "ruling"), "قضت محكمة الاستئناف في أمستردام، يوم الثلاثاء، بأن نحو 4 آلاف عامل توصيل يعملون لدى منصة «فليتلي» لتوصيل الطعام هم موظفون لا عاملون مستقلون، ويجب أن تشملهم الاتفاقية الجماعية لقطاع النقل."),
            (("appeal",), "وقالت الشركة إنها ستطعن في الحكم أمام المحكمة العليا، معتبرة أن القرار «يتجاهل ما يريده العمال، أي المرونة»."),
            (("backpay",), "وسيتعين على الشركة دفع أجور متأخرة منذ عام 2021، تقدرها النقابة بنحو 18 مليون يورو، خلال ثلاثة أشهر."),
            (("union",), "وقالت إلسه دي رويتر، محامية نقابة FNV، إن القضاة نظروا إلى «كيفية تنظيم العمل فعلياً، لا إلى ما ينص عليه العقد»."),
        ],
    },
    # --- 2. a resignation speech, led by statements ------------------------------
    "minister_resigns": {
        "pt": [
            (("head",), "Ministra da Saúde, Marta Quintela, demite-se após caos nas urgências"),
            (("resign",), "A ministra da Saúde, Marta Quintela, apresentou esta quinta-feira a sua demissão ao primeiro-ministro, depois de duas semanas de críticas pelo encerramento de serviços de urgência em seis hospitais do país."),
            (("speech",), "«Não tenho condições para continuar. Quando uma grávida tem de percorrer cem quilómetros para ser atendida, a responsabilidade política é minha», afirmou numa declaração sem direito a perguntas."),
            (("thanks",), "Quintela agradeceu aos médicos e enfermeiros «que seguraram o serviço nacional de saúde com as próprias mãos» e disse que sai «de consciência tranquila»."),
            (("death",), "A morte de uma mulher de 34 anos, transferida entre dois hospitais da região de Lisboa no passado dia 12 de agosto, precipitou a decisão."),
            ((), "A oposição exigiu uma audição urgente no Parlamento e o Bloco de Esquerda falou de «uma demissão tardia»."),
            (("interim",), "O primeiro-ministro aceitou a demissão e deverá nomear um substituto na próxima semana. Até lá, o secretário de Estado Rui Matos assegura a pasta."),
        ],
        "en": [
            (("head",), "Portugal's health minister resigns over emergency room closures"),
            (("resign",), "Portugal's health minister Marta Quintela resigned on Thursday after two weeks of criticism over the closure of emergency departments at six hospitals."),
            (("death",), "Pressure mounted after a 34-year-old pregnant woman died on August 12 while being transferred between two hospitals in the Lisbon area."),
            (("speech",), "“I no longer have the conditions to continue,” Quintela said in a short statement, taking no questions. “When a pregnant woman has to travel a hundred kilometres to be seen, the political responsibility is mine.”"),
            (("interim",), "The prime minister accepted her resignation. Junior minister Rui Matos will run the ministry until a successor is named."),
            ((), "Portugal's national health service has struggled with staff shortages for years, and thousands of doctors have left for better-paid jobs abroad or in private hospitals."),
        ],
        "it": [
            (("head", "resign"), "Portogallo, si dimette la ministra della Sanità Marta Quintela dopo la chiusura dei pronto soccorso in sei ospedali."),
            (("speech",), "«Non ho più le condizioni per continuare», ha detto Quintela in una breve dichiarazione. «Quando una donna incinta deve percorrere cento chilometri per essere curata, la responsabilità politica è mia»."),
            (("death",), "Decisiva la morte, il 12 agosto, di una donna di 34 anni incinta, trasferita da un ospedale all'altro nell'area di Lisbona."),
            (("thanks",), "La ministra ha ringraziato medici e infermieri che «hanno sorretto il servizio sanitario con le proprie mani»."),
            (("interim",), "Il primo ministro ha accettato le dimissioni; l'interim va al sottosegretario Rui Matos."),
        ],
    },
    # --- 3. a central bank decision, led by figures ------------------------------
    "rate_decision": {
        "en": [
            (("head",), "Norway's central bank raises rates to 4.5%, signals more to come"),
            (("hike",), "Norges Bank raised its policy rate by a quarter of a percentage point to 4.5 percent on Thursday, the highest level since 2008, and said it would probably raise it again in September."),
            (("inflation",), "Core inflation rose to 6.7% in May from 6.3% in April, well above the bank's 2% target, as a weak krone pushed up the price of imported goods."),
            (("governor",), "“The krone is weaker than we expected, and that adds to inflation,” governor Ida Wolden Bache told reporters in Oslo."),
            ((), "Most economists polled by Reuters had expected the hike. Two of 24 had forecast a larger move of 50 basis points."),
            (("krone",), "The krone strengthened 0.8% against the euro after the announcement, trading at 11.52 per euro."),
            (("next",), "The next rate decision is due on 21 September."),
        ],
        "de": [
            (("hike", "next"), "Die norwegische Zentralbank hat den Leitzins am Donnerstag um 0,25 Prozentpunkte auf 4,5 Prozent angehoben und eine weitere Erhöhung im September in Aussicht gestellt."),
            (("inflation",), "Die Kerninflation lag im Mai bei 6,7 Prozent, nach 6,3 Prozent im April. Das Inflationsziel der Notenbank liegt bei zwei Prozent."),
            (("governor",), "Notenbankchefin Ida Wolden Bache machte vor allem die schwache Krone verantwortlich, die Importe verteuert."),
            (("krone",), "Die Krone legte nach der Entscheidung um 0,8 Prozent zum Euro zu; ein Euro kostete 11,52 Kronen."),
            ((), "Auch die schwedische Reichsbank hatte ihren Leitzins zuletzt erhöht, um den Verfall der Krone zu bremsen."),
        ],
        "fr": [
            (("head",), "La Banque de Norvège relève son taux directeur à 4,5 %"),
            (("hike",), "La banque centrale norvégienne a relevé jeudi son taux directeur d'un quart de point, à 4,5 %, son plus haut niveau depuis 2008."),
            (("inflation",), "L'inflation sous-jacente a atteint 6,7 % en mai, trois fois plus que l'objectif de 2 %."),
            (("next",), "Une nouvelle hausse est probable lors de la prochaine réunion, le 21 septembre."),
            (("governor",), "« La couronne est plus faible que prévu, ce qui alimente l'inflation », a déclaré la gouverneure Ida Wolden Bache."),
        ],
        "ar": [
            (("head", "hike"), "رفع البنك المركزي النرويجي سعر الفائدة الرئيسي بمقدار ربع نقطة مئوية إلى 4.5 في المئة يوم الخميس، وهو أعلى مستوى منذ عام 2008."),
            (("inflation",), "وارتفع التضخم الأساسي إلى 6.7% في مايو/أيار، مقارنة بـ6.3% في أبريل/نيسان، أي أكثر من ثلاثة أضعاف المستهدف البالغ 2%."),
            (("governor",), "وقالت محافظة البنك إيدا وولدن باخه إن «الكرونة أضعف مما توقعنا، وهذا يزيد التضخم»."),
            (("next",), "ومن المقرر أن يصدر القرار المقبل بشأن الفائدة في 21 سبتمبر/أيلول."),
        ],
    },
    # --- 4. a marathon: names, times, counts ---------------------------------------
    "marathon": {
        "en": [
            (("head",), "Ethiopia's Tigist Alemu sets course record at Berlin Marathon"),
            (("win",), "Tigist Alemu won the Berlin Marathon on Sunday in 2:15:32, cutting 40 seconds off the course record and finishing more than two minutes ahead of Kenya's Faith Jeptoo."),
            (("men",), "In the men's race, Kenya's Amos Kiprono pulled away at the 35-kilometre mark to win in 2:03:11."),
            (("quote",), "“I knew at halfway that the record was possible,” said Alemu, 24, who was running only her third marathon. “The crowd carried me through the last five kilometres.”"),
            (("field",), "About 48,000 runners from 150 countries started the race under cool, dry conditions."),
            ((), "Berlin's flat course has produced eleven world records since 1998."),
        ],
        "es": [
            (("head", "win"), "La etíope Tigist Alemu gana el maratón de Berlín con récord del circuito: 2:15:32."),
            (("quote",), "«A mitad de carrera supe que el récord era posible», dijo la atleta de 24 años, que corría apenas su tercer maratón."),
            (("men",), "En categoría masculina se impuso el keniano Amos Kiprono, con 2:03:11, tras atacar en el kilómetro 35."),
            (("field",), "Unos 48.000 corredores de 150 países tomaron la salida."),
            (("win",), "La keniana Faith Jeptoo fue segunda, a más de dos minutos de la ganadora."),
        ],
        "it": [
            (("head",), "Maratona di Berlino, record del percorso per l'etiope Tigist Alemu"),
            (("win",), "L'etiope Tigist Alemu ha vinto domenica la maratona di Berlino in 2h15'32\", migliorando di 40 secondi il record del percorso. Seconda la keniana Faith Jeptoo."),
            (("field",), "Al via circa 48 mila podisti da 150 Paesi, con clima fresco e asciutto."),
            (("men",), "Tra gli uomini successo del keniano Amos Kiprono in 2h03'11\", decisivo l'allungo al trentacinquesimo chilometro."),
            (("quote",), "«A metà gara ho capito che il record era possibile», ha detto la 24enne, alla terza maratona in carriera."),
        ],
    },
    # --- 5. floods: counts, measures, money ------------------------------------------
    "floods": {
        "es": [
            (("head",), "Tres muertos y 1.200 evacuados por las inundaciones en la Región de Murcia"),
            (("head", "toll"), "Al menos tres personas murieron y unas 1.200 tuvieron que abandonar sus casas después de que una DANA descargara más de 180 litros por metro cuadrado en menos de seis horas en el sur de la Región de Murcia, según los servicios de emergencia."),
            (("victims",), "Las víctimas son un hombre de 71 años arrastrado por la corriente en Lorca y una pareja cuyo coche quedó atrapado en una rambla cerca de Totana."),
            (("zone",), "El presidente del Gobierno anunció que el Consejo de Ministros declarará el martes zona catastrófica los municipios afectados."),
            (("fund",), "La Comisión Europea ofreció activar el Fondo de Solidaridad, que en inundaciones anteriores aportó hasta 45 millones de euros."),
            ((), "La Agencia Estatal de Meteorología mantiene el aviso naranja en el litoral de Almería hasta el jueves."),
        ],
        "en": [
            (("head", "toll"), "At least three people have died and around 1,200 have been evacuated after torrential rain hit the Murcia region of south-eastern Spain, dropping more than 180 litres per square metre in under six hours."),
            (("victims",), "A 71-year-old man was swept away in Lorca, and a couple died when their car was trapped in a dry riverbed near Totana."),
            (("zone",), "Spain's prime minister said the cabinet would declare the affected towns a disaster zone on Tuesday, unlocking emergency aid."),
            (("fund",), "The European Commission offered to mobilise its Solidarity Fund, which has paid up to €45 million after previous floods in Spain."),
            ((), "Scientists say warmer Mediterranean waters are making such autumn storms more intense."),
        ],
        "ar": [
            (("head", "toll"), "لقي ثلاثة أشخاص على الأقل حتفهم وأُجلي نحو 1200 آخرين من منازلهم في منطقة مورسيا جنوب شرق إسبانيا، بعد أمطار غزيرة تجاوزت 180 لتراً في المتر المربع خلال أقل من ست ساعات."),
            (("victims",), "ومن بين الضحايا رجل يبلغ 71 عاماً جرفته المياه في لورقة، وزوجان علقت سيارتهما في مجرى سيل قرب توتانا."),
            (("zone",), "وأعلن رئيس الحكومة الإسبانية أن مجلس الوزراء سيعلن يوم الثلاثاء البلدات المتضررة مناطق منكوبة."),
            (("fund",), "وعرضت المفوضية الأوروبية تفعيل صندوق التضامن الأوروبي، الذي قدّم ما يصل إلى 45 مليون يورو بعد فيضانات سابقة."),
        ],
    },
    # --- 6. a sports court ruling, led by statements (added in round 2, gold written with the texts,
    # before the aligner ran on them) ------------------------------------------------------------
    "doping_appeal": {
        "en": [
            (("head",), "Sports court clears swimmer Lena Brandauer of doping, lifting four-year ban"),
            (("ruling",), "The Court of Arbitration for Sport in Lausanne on Friday overturned the four-year ban imposed on Austrian swimmer Lena Brandauer, accepting that a contaminated supplement caused her positive test."),
            (("athlete",), "“I have been telling the truth from the first day, and today three judges agreed,” Brandauer told reporters outside the court. “I lost fourteen months of my career for something I did not do.”"),
            (("wada",), "The World Anti-Doping Agency said it respected the decision but was “concerned” that athletes could escape sanctions by blaming supplements. It has 30 days to take the case to the Swiss Federal Tribunal."),
            (("test",), "Brandauer tested positive for the steroid clostebol at a meet in Graz in March last year. Traces of the substance were later found in a batch of magnesium tablets she had bought online."),
            (("coach",), "Her coach, Peter Haslinger, called the ruling “a relief for the whole team” and said she would be back in the pool at the national championships in July."),
            (("medal",), "Brandauer won silver in the 200 metres breaststroke at the world championships three years ago and holds the Austrian record in the event."),
        ],
        "fr": [
            (("head",), "Dopage : le TAS blanchit la nageuse autrichienne Lena Brandauer"),
            (("ruling",), "Le Tribunal arbitral du sport (TAS) a annulé vendredi la suspension de quatre ans infligée à Lena Brandauer, estimant qu'un complément alimentaire contaminé était à l'origine de son contrôle positif."),
            (("athlete",), "« Je dis la vérité depuis le premier jour et aujourd'hui trois juges me donnent raison », a déclaré la nageuse à la sortie de l'audience, à Lausanne."),
            (("test",), "Contrôlée positive au clostébol lors d'une compétition à Graz en mars de l'an dernier, elle avait toujours nié s'être dopée. Des traces du produit ont ensuite été retrouvées dans des comprimés de magnésium achetés sur internet."),
            (("wada",), "L'Agence mondiale antidopage (AMA) dit « respecter » la décision, tout en se disant « préoccupée ». Elle dispose de 30 jours pour saisir le Tribunal fédéral suisse."),
            ((), "En France, plusieurs cyclistes ont été blanchis ces dernières années pour des contaminations similaires."),
        ],
        "ar": [
            (("head",), "محكمة التحكيم الرياضي تبرئ السباحة النمساوية لينا براندور من تهمة المنشطات"),
            (("ruling",), "ألغت محكمة التحكيم الرياضي في لوزان، يوم الجمعة، الإيقاف لمدة أربع سنوات الذي فُرض على السباحة النمساوية لينا براندور، بعدما اقتنعت بأن مكملاً غذائياً ملوثاً كان وراء نتيجة فحصها الإيجابية."),
            (("athlete",), "وقالت براندور للصحفيين أمام مقر المحكمة: «أقول الحقيقة منذ اليوم الأول، واليوم وافقني ثلاثة قضاة». وأضافت أنها خسرت أربعة عشر شهراً من مسيرتها بسبب شيء لم تفعله."),
            (("wada",), "وأعلنت الوكالة العالمية لمكافحة المنشطات أنها «تحترم» القرار، لكنها «قلقة» من أن يتمكن الرياضيون من الإفلات من العقوبات بإلقاء اللوم على المكملات. وأمام الوكالة 30 يوماً للطعن أمام المحكمة الفيدرالية السويسرية."),
            (("coach",), "ووصف مدربها بيتر هاسلينغر الحكم بأنه «ارتياح للفريق كله»، مؤكداً أنها ستعود إلى المنافسة في البطولة الوطنية في يوليو."),
            ((), "وكانت قضايا مشابهة قد أثارت جدلاً واسعاً في السنوات الأخيرة حول مسؤولية الرياضيين عما يتناولونه."),
        ],
        "de": [
            (("head",), "Sportgerichtshof hebt Dopingsperre gegen Lena Brandauer auf"),
            (("ruling",), "Der Internationale Sportgerichtshof CAS in Lausanne hat die vierjährige Sperre gegen die österreichische Schwimmerin Lena Brandauer am Freitag aufgehoben. Ein verunreinigtes Nahrungsergänzungsmittel sei für den positiven Test verantwortlich, befanden die Richter."),
            (("test",), "Brandauer war im März vergangenen Jahres bei einem Meeting in Graz positiv auf das Steroid Clostebol getestet worden. Spuren davon fanden sich später in Magnesiumtabletten, die sie im Internet bestellt hatte."),
            (("athlete",), "„Ich habe vom ersten Tag an die Wahrheit gesagt, und heute haben mir drei Richter recht gegeben“, sagte Brandauer vor dem Gericht. Vierzehn Monate ihrer Karriere habe sie verloren."),
            (("coach",), "Trainer Peter Haslinger sprach von einer „Erleichterung für das ganze Team“. Brandauer werde bei den Staatsmeisterschaften im Juli wieder ins Becken steigen."),
            (("wada",), "Die Welt-Anti-Doping-Agentur WADA kann binnen 30 Tagen vor das Schweizer Bundesgericht ziehen. Sie zeigte sich „besorgt“ über das Urteil."),
            (("medal",), "Die 24-Jährige hatte vor drei Jahren bei der WM Silber über 200 Meter Brust gewonnen und hält den österreichischen Rekord."),
        ],
    },
}


def build() -> None:
    for story, langs in STORIES.items():
        folder = HERE / story
        folder.mkdir(exist_ok=True)
        for lang, paras in langs.items():
            texts = [t for _, t in paras]
            assert all(len(t) < 400 for t in texts), (story, lang)  # one paragraph = one passage
            (folder / f"{lang}.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        pairs = []
        for la, lb in combinations(langs, 2):
            for tags_a, ta in langs[la]:
                for tags_b, tb in langs[lb]:
                    if set(tags_a) & set(tags_b):
                        pairs.append({"a": la, "a_text": ta[:40], "b": lb, "b_text": tb[:40],
                                      "fact": ", ".join(sorted(set(tags_a) & set(tags_b)))})
        gold = {"about": f"Held-out story {story!r}: gold counterpart passages written with the texts, before "
                         "the aligner ran (tests/data/align_heldout/build.py).",
                "documents": {lang: f"{lang}.txt" for lang in langs}, "pairs": pairs}
        (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build()
